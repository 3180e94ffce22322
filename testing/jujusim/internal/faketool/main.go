// Command faketool is the fake Juju hook-tool binary jujusim links into
// each simulated unit's tools directory under every tool name. Like Juju's
// jujuc it picks the command from basename(argv[0]) and needs
// JUJU_CONTEXT_ID, JUJU_AGENT_SOCKET_ADDRESS and JUJU_AGENT_SOCKET_NETWORK.
// Instead of dialling the unit agent, it finds the model directory from the
// socket address (units/<unit>/agent.socket under it) and runs the call
// against the fake Juju's model there (package fakejuju), under the
// model's lock.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/charmkit/charmkit/testing/fakejuju"
)

func main() {
	cwd, _ := os.Getwd()
	os.Exit(run(filepath.Base(os.Args[0]), os.Args[1:], os.Getenv, os.Stdin, cwd, os.Stdout, os.Stderr))
}

func run(tool string, args []string, getenv func(string) string, stdin io.Reader, cwd string, stdout, stderr io.Writer) int {
	for _, name := range []string{"JUJU_CONTEXT_ID", "JUJU_AGENT_SOCKET_ADDRESS", "JUJU_AGENT_SOCKET_NETWORK"} {
		if getenv(name) == "" {
			fmt.Fprintf(stderr, "ERROR %s not set\n", name)
			return 1
		}
	}
	socket := getenv("JUJU_AGENT_SOCKET_ADDRESS")
	store := fakejuju.Dir{Path: filepath.Dir(filepath.Dir(filepath.Dir(socket)))}
	reply, err := fakejuju.Run(store, fakejuju.Call{Context: getenv("JUJU_CONTEXT_ID"), Tool: tool, Args: args, Stdin: stdin, Dir: cwd})
	switch {
	case errors.Is(err, fakejuju.ErrToolNotFound):
		// The agent refuses a command it does not know.
		fmt.Fprintf(stderr, "ERROR bad request: unknown command: %s\n", tool)
		return 1
	case err != nil: // ErrBadRequest reads "bad request: ..."
		fmt.Fprintf(stderr, "ERROR %v\n", err)
		return 1
	}
	stdout.Write(reply.Stdout)
	stderr.Write(reply.Stderr)
	return reply.ExitCode
}
