package files_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"text/template"

	"github.com/charmkit/charmkit/files"
)

// Write reports whether the file changed, so a handler restarts the
// workload only when its configuration did.
func ExampleWrite() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "files-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "app", "app.conf")

	for _, content := range []string{"port = 80\n", "port = 80\n", "port = 8080\n"} {
		changed, err := files.Write(ctx, p, []byte(content), files.Options{Mode: 0o640})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%q changed: %v\n", content, changed)
	}
	fi, _ := os.Stat(p)
	fmt.Println(fi.Mode())
	// Output:
	// "port = 80\n" changed: true
	// "port = 80\n" changed: false
	// "port = 8080\n" changed: true
	// -rw-r-----
}

// appConf is a workload's configuration file, rendered from the charm's
// config. missingkey=error makes a missing value an error instead of
// "<no value>" in the file.
var appConf = template.Must(template.New("app.conf").Option("missingkey=error").Parse(
	"# Written by the app charm: edits are overwritten.\nport = {{.Port}}\n"))

// Render a template to a system path. Under test, files.Path puts
// /etc/app/app.conf under the root the test gives the hook (here with
// files.WithRoot, as testing/charmtest does for every run); on a real unit
// the path is used as is.
func ExampleRender() {
	root, err := os.MkdirTemp("", "files-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(root)
	ctx := files.WithRoot(context.Background(), root)

	p := files.Path(ctx, "/etc/app/app.conf")
	changed, err := files.Render(ctx, p, appConf, struct{ Port int }{8080}, files.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := os.ReadFile(filepath.Join(root, "etc", "app", "app.conf"))
	fmt.Println(changed)
	fmt.Print(string(b))

	_, err = files.Render(ctx, p, appConf, map[string]int{"port": 1}, files.Options{})
	fmt.Println(err != nil)
	// Output:
	// true
	// # Written by the app charm: edits are overwritten.
	// port = 8080
	// true
}

// A symbolic link at the destination is refused, whatever it points to.
func ExampleWrite_symlink() {
	dir, err := os.MkdirTemp("", "files-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	link := filepath.Join(dir, "app.conf")
	if err := os.Symlink("/etc/shadow", link); err != nil {
		fmt.Println(err)
		return
	}
	_, err = files.Write(context.Background(), link, []byte("x"), files.Options{})
	fmt.Println(err == nil, errors.Is(err, files.ErrSymlink))
	// Output:
	// false true
}
