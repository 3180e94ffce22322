// Command pack builds the password charm into a .charm archive that Juju
// deploys: the static charm binary as dispatch (executable, at the root),
// metadata.yaml, config.yaml and manifest.yaml. Run it from the repository
// root:
//
//	go run ./examples/password-charm/cmd/pack -o password.charm
//
// Flags:
//
//	-o FILE    the archive to write (default password.charm)
//	-arch ARCH the target architecture, GOARCH name (default amd64)
//	-src DIR   the charm's directory (default: found with go list)
//	-dispatch FILE  pack this prebuilt binary instead of building one
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// charmPackage is the import path of the charm's main package.
const charmPackage = "github.com/charmkit/charmkit/examples/password-charm"

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "pack:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("pack", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "password.charm", "the .charm archive to write")
	arch := fs.String("arch", "amd64", "target architecture (GOARCH)")
	src := fs.String("src", "", "the charm's directory (default: found with go list)")
	prebuilt := fs.String("dispatch", "", "pack this prebuilt binary instead of building one")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if !validArch(*arch) {
		return fmt.Errorf("unsupported architecture %q (want one of amd64, arm64, ppc64le, s390x, riscv64)", *arch)
	}
	dir := *src
	if dir == "" {
		b, err := exec.CommandContext(ctx, "go", "list", "-f", "{{.Dir}}", charmPackage).Output()
		if err != nil {
			return fmt.Errorf("finding the charm directory with go list: %w", err)
		}
		dir = strings.TrimSpace(string(b))
	}
	binary := *prebuilt
	if binary == "" {
		tmp, err := os.MkdirTemp("", "pack-charm")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		binary = filepath.Join(tmp, "dispatch")
		cmd := exec.CommandContext(ctx, "go", "build", "-ldflags=-s -w", "-o", binary, ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+*arch)
		cmd.Stderr = stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("building the charm binary: %w", err)
		}
	}
	dispatch, err := os.ReadFile(binary)
	if err != nil {
		return fmt.Errorf("reading the charm binary: %w", err)
	}
	files, err := readCharmDir(dir, *arch)
	if err != nil {
		return err
	}
	return writeFileAtomic(*out, func(w io.Writer) error { return writeCharm(w, dispatch, files) })
}

// writeFileAtomic writes path through a temporary file in the same
// directory, renamed into place only when fill succeeded.
func writeFileAtomic(path string, fill func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if err := fill(f); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
