package reactive

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/reactive/internal/cli"
)

// children is the hook's side of its child processes (external handlers,
// Hook.RunCommand): the charms.reactive channel they call back on, started
// on first use (most hooks start no child, so most pay nothing for it), the
// directory that puts the charm binary first on their PATH as
// charms.reactive, and where external handlers' output goes.
type children struct {
	fl     *flags.Flags // the dispatcher's flag set: commands reach the watch
	exe    string       // RunOptions.CLIExecutable
	stdout io.Writer    // external handlers' output
	stderr io.Writer
	srv    *cli.Server // nil until the first child
	binDir string      // holds the charms.reactive link; "" when none
}

// run runs cmd and waits for it, with the channel, JUJU_HOOK_NAME and the
// charms.reactive link in its environment (see [Hook.RunCommand]).
func (c *children) run(cmd *exec.Cmd, hook string, rules cliRules) error {
	srv, err := c.server(rules)
	if err != nil {
		return err
	}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, cli.SocketEnv+"="+srv.Path(), "JUJU_HOOK_NAME="+hook)
	if c.binDir != "" {
		cmd.Env = prependPath(cmd.Env, c.binDir)
	}
	return srv.Run(cmd)
}

// server returns the channel, starting it on first use. It lives until
// close, which the hook calls before its transaction ends.
func (c *children) server(rules cliRules) (*cli.Server, error) {
	if c.srv != nil {
		return c.srv, nil
	}
	srv, err := cli.StartServer(c.fl, rules)
	if err != nil {
		return nil, fmt.Errorf("starting the charms.reactive channel: %w", err)
	}
	c.srv = srv
	if c.exe != "" {
		// In the server's private directory, removed with it by Close.
		bin := filepath.Join(srv.Dir(), "bin")
		if err := os.Mkdir(bin, 0o700); err != nil {
			return nil, fmt.Errorf("putting charms.reactive on the PATH: %w", err)
		}
		if err := os.Symlink(c.exe, filepath.Join(bin, cli.Program)); err != nil {
			return nil, fmt.Errorf("putting charms.reactive on the PATH: %w", err)
		}
		c.binDir = bin
	}
	return srv, nil
}

// close stops the channel, if it was started; it must run before the
// transaction ends.
func (c *children) close() error {
	if c.srv == nil {
		return nil
	}
	if err := c.srv.Close(); err != nil {
		return fmt.Errorf("stopping the charms.reactive channel: %w", err)
	}
	return nil
}
