package reactive

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/charmkit/charmkit/flags"
)

// The in-hook channel (docs/design.md, "Decision 2"). A hook process holds the
// store's write lock for the whole hook, so a charms.reactive command started by
// one of its handlers must not open the store. The hook process serves a unix
// socket with [ServeCLI] and exports its path in CHARMKIT_CLI_SOCKET; [RunCLI]
// then sends its command line there and prints the reply.
//
// The wire format is one JSON line each way:
//
//	request:  {"args": ["-j", "get_flags"], "cwd": "/var/lib/juju/agents/unit-x-0/charm"}
//	response: {"stdout": "<base64>", "stderr": "<base64>", "code": 0}

// cliRequest is a command line sent to the hook process.
type cliRequest struct {
	Args []string `json:"args"`
	Cwd  string   `json:"cwd"` // the caller's working directory, for relative file names
}

// cliResponse is what the hook process computed for a request.
type cliResponse struct {
	Stdout []byte `json:"stdout"`
	Stderr []byte `json:"stderr"`
	Code   int    `json:"code"`
}

// maxCLIRequest bounds a request line.
const maxCLIRequest = 1 << 20

// ServeOptions describes the hook a [ServeCLI] server answers for.
type ServeOptions struct {
	// Hook is the hook's name, matched by the hook and any_hook commands.
	Hook string
	// CharmDir is the charm directory, where metadata.yaml is read for
	// {role:interface} hook patterns.
	CharmDir string
	// Metadata, when set, is used instead of reading metadata.yaml.
	Metadata *Metadata
	// Registry, when set, is drawn by the charmkit-graph subcommand.
	Registry *Registry
}

// CLIServer applies the charms.reactive commands that the children of a
// hook send over the in-hook channel, in the hook's open transaction. Create
// it with [NewCLIServer] or [StartCLIServer].
type CLIServer struct {
	fl   *flags.Flags
	opts ServeOptions

	mu     sync.Mutex // guards conns, closed
	conns  map[net.Conn]bool
	closed bool

	apply sync.Mutex // serialises commands on the transaction

	// Set by StartCLIServer.
	path   string
	dir    string
	cancel context.CancelFunc
	done   chan error
}

// NewCLIServer returns a server applying commands to fl, the flag set of
// the hook's open transaction. Use the dispatcher's flag set, so that the
// changes reach the watch and fire triggers as a handler's own would.
func NewCLIServer(fl *flags.Flags, opts ServeOptions) *CLIServer {
	return &CLIServer{fl: fl, opts: opts, conns: map[net.Conn]bool{}}
}

// ServeCLI is NewCLIServer(fl, opts).Serve(ctx, l).
func ServeCLI(ctx context.Context, l net.Listener, fl *flags.Flags, opts ServeOptions) error {
	if fl == nil {
		l.Close()
		return errors.New("reactive: serve cli: nil flag set")
	}
	return NewCLIServer(fl, opts).Serve(ctx, l)
}

// Sync orders the hook goroutine's use of the transaction with the
// server's: call it after changing the state and before starting a child
// that may send commands, and again after the child has exited, before
// using the state again ([CLIServer.Run] does both). The operating system
// orders the steps anyway; Sync makes the order visible to Go's memory
// model and race detector, and waits for a command still being applied.
func (s *CLIServer) Sync() {
	s.apply.Lock()
	//lint:ignore SA2001 the empty critical section is the point: it orders this goroutine after any command being applied
	s.apply.Unlock()
}

// Run runs cmd (a child that may call charms.reactive) between two
// [CLIServer.Sync] calls and returns cmd.Run's error.
func (s *CLIServer) Run(cmd *exec.Cmd) error {
	s.Sync()
	defer s.Sync()
	return cmd.Run()
}

// Serve answers charms.reactive commands sent by [RunCLI] on l. Commands
// are applied one at a time; nothing is committed: the changes are part
// of the hook's transaction and are rolled back with it.
//
// The hook must not use the transaction while a command may be applied:
// a handler that starts a charms.reactive child waits for it, so the
// dispatcher is blocked meanwhile (see [CLIServer.Sync]).
//
// Serve returns nil when ctx is done or l is closed, after closing l and
// every open connection and waiting for the command being applied, if
// any. The hook may commit or roll back only after Serve has returned.
func (s *CLIServer) Serve(ctx context.Context, l net.Listener) error {
	stop := context.AfterFunc(ctx, func() { l.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer func() {
		s.mu.Lock()
		s.closed = true
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		wg.Wait()
	}()
	for {
		c, err := l.Accept()
		if err != nil {
			l.Close()
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("reactive: serve cli: %w", err)
		}
		if !s.track(c) {
			c.Close()
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer s.untrack(c)
			s.serveConn(c)
		}()
	}
}

// StartCLIServer listens on a new unix socket in a private temporary
// directory and serves it in the background until [CLIServer.Close].
// Export [CLIServer.Path] to children as CHARMKIT_CLI_SOCKET.
func StartCLIServer(ctx context.Context, fl *flags.Flags, opts ServeOptions) (*CLIServer, error) {
	if fl == nil {
		return nil, errors.New("reactive: start cli server: nil flag set")
	}
	// A short directory: unix socket paths are limited to about 100 bytes.
	dir, err := os.MkdirTemp("", "charmkit-cli-")
	if err != nil {
		return nil, fmt.Errorf("reactive: start cli server: %w", err)
	}
	path := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", path)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("reactive: start cli server: %w", err)
	}
	s := NewCLIServer(fl, opts)
	s.path, s.dir, s.done = path, dir, make(chan error, 1)
	ctx, s.cancel = context.WithCancel(ctx)
	go func() { s.done <- s.Serve(ctx, l) }()
	return s, nil
}

// Path returns the socket path of a server started by [StartCLIServer].
func (s *CLIServer) Path() string { return s.path }

// Close stops a server started by [StartCLIServer], waits until no
// command is being applied and removes the socket. Call it before the
// hook commits or rolls back.
func (s *CLIServer) Close() error {
	if s.cancel == nil {
		return errors.New("reactive: cli server: not started by StartCLIServer")
	}
	s.cancel()
	err := <-s.done
	s.done <- err // a second Close returns the same
	if rmErr := os.RemoveAll(s.dir); err == nil && rmErr != nil {
		err = fmt.Errorf("reactive: cli server: %w", rmErr)
	}
	return err
}

func (s *CLIServer) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = true
	return true
}

func (s *CLIServer) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}

// serveConn answers the requests on one connection, one line each.
func (s *CLIServer) serveConn(c net.Conn) {
	r := bufio.NewReaderSize(c, 64<<10)
	enc := json.NewEncoder(c)
	for {
		line, err := readLine(r)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				enc.Encode(cliResponse{Stderr: []byte(CLIProgram + ": bad request: " + err.Error() + "\n"), Code: CLIExitFalse})
			}
			return
		}
		var req cliRequest
		var resp cliResponse
		if err := json.Unmarshal(line, &req); err != nil {
			resp = cliResponse{Stderr: []byte(CLIProgram + ": bad request: " + err.Error() + "\n"), Code: CLIExitFalse}
		} else {
			resp = s.do(req)
		}
		if err := enc.Encode(resp); err != nil {
			return
		}
	}
}

// readLine reads one newline-terminated line of at most maxCLIRequest bytes.
func readLine(r *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > maxCLIRequest {
			return nil, fmt.Errorf("request longer than %d bytes", maxCLIRequest)
		}
		if err == nil {
			return buf, nil
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) && len(buf) > 0 {
			return nil, fmt.Errorf("request not terminated by a newline")
		}
		return nil, err
	}
}

// do applies one command line in the hook's transaction.
func (s *CLIServer) do(req cliRequest) cliResponse {
	var stdout, stderr bytes.Buffer
	inv, err := parseCLI(req.Args)
	if err != nil {
		return cliResponse{Stderr: usageBytes(err), Code: CLIExitUsage}
	}
	if inv.help != "" {
		return cliResponse{Stdout: []byte(inv.help)}
	}
	s.apply.Lock()
	defer s.apply.Unlock()
	env := &cliEnv{
		fl:       s.fl,
		hook:     s.opts.Hook,
		charmDir: s.opts.CharmDir,
		cwd:      req.Cwd,
		md:       s.opts.Metadata,
		registry: s.opts.Registry,
	}
	code := env.execute(inv, &stdout, &stderr)
	return cliResponse{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), Code: code}
}

func usageBytes(err error) []byte {
	var b bytes.Buffer
	usageError(&b, err)
	return b.Bytes()
}

// callCLIServer sends a command line to the hook process serving sock and
// copies its reply.
func callCLIServer(ctx context.Context, sock string, args []string, cwd string, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "%s: cannot reach the hook process at %s=%s: %v\n", CLIProgram, CLISocketEnv, sock, err)
		return CLIExitFalse
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", sock)
	if err != nil {
		return fail(err)
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	} else {
		c.SetDeadline(time.Time{})
	}
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
	defer stop()
	if args == nil {
		args = []string{}
	}
	if err := json.NewEncoder(c).Encode(cliRequest{Args: args, Cwd: cwd}); err != nil {
		return fail(err)
	}
	var resp cliResponse
	if err := json.NewDecoder(c).Decode(&resp); err != nil {
		return fail(fmt.Errorf("reading the reply: %w", err))
	}
	stdout.Write(resp.Stdout)
	stderr.Write(resp.Stderr)
	return resp.Code
}
