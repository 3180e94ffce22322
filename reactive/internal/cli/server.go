package cli

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
// socket with a [Server] and exports its path in CHARMKIT_CLI_SOCKET; [Run]
// then sends its command line there and prints the reply.
//
// The wire format is one JSON line each way:
//
//	request:  {"args": ["-j", "get_flags"], "cwd": "/var/lib/juju/agents/unit-x-0/charm"}
//	response: {"stdout": "<base64>", "stderr": "<base64>", "code": 0}

// request is a command line sent to the hook process.
type request struct {
	Args []string `json:"args"`
	Cwd  string   `json:"cwd"` // the caller's working directory, for relative file names
}

// response is what the hook process computed for a request.
type response struct {
	Stdout []byte `json:"stdout"`
	Stderr []byte `json:"stderr"`
	Code   int    `json:"code"`
}

// maxRequest bounds a request line.
const maxRequest = 1 << 20

// Server applies the charms.reactive commands that the children of a
// hook send over the in-hook channel, in the hook's open transaction. Create
// it with [NewServer] or [StartServer].
type Server struct {
	fl    *flags.Flags
	rules Rules

	mu     sync.Mutex // guards conns, closed
	conns  map[net.Conn]bool
	closed bool

	apply sync.Mutex // serialises commands on the transaction

	// Set by StartServer.
	path   string
	dir    string
	cancel context.CancelFunc
	done   chan error
}

// NewServer returns a server applying commands to fl, the flag set of
// the hook's open transaction. Use the dispatcher's flag set, so that the
// changes reach the watch and fire triggers as a handler's own would.
func NewServer(fl *flags.Flags, rules Rules) *Server {
	return &Server{fl: fl, rules: rules, conns: map[net.Conn]bool{}}
}

// Serve is NewServer(fl, rules).Serve(ctx, l); a nil flag set is an error.
func Serve(ctx context.Context, l net.Listener, fl *flags.Flags, rules Rules) error {
	if fl == nil {
		l.Close()
		return errors.New("reactive: serve cli: nil flag set")
	}
	return NewServer(fl, rules).Serve(ctx, l)
}

// Sync orders the hook goroutine's use of the transaction with the
// server's: call it after changing the state and before starting a child
// that may send commands, and again after the child has exited, before
// using the state again ([Server.Run] does both). The operating system
// orders the steps anyway; Sync makes the order visible to Go's memory
// model and race detector, and waits for a command still being applied.
func (s *Server) Sync() {
	s.apply.Lock()
	//lint:ignore SA2001 the empty critical section is the point: it orders this goroutine after any command being applied
	s.apply.Unlock()
}

// Run runs cmd (a child that may call charms.reactive) between two
// [Server.Sync] calls and returns cmd.Run's error.
func (s *Server) Run(cmd *exec.Cmd) error {
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
// dispatcher is blocked meanwhile (see [Server.Sync]).
//
// Serve returns nil when ctx is done or l is closed, after closing l and
// every open connection and waiting for the command being applied, if
// any. The hook may commit or roll back only after Serve has returned.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
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

// StartServer listens on a new unix socket in a private temporary
// directory and serves it in the background until [Server.Close].
// Export [Server.Path] to children as CHARMKIT_CLI_SOCKET.
func StartServer(fl *flags.Flags, rules Rules) (*Server, error) {
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
	s := NewServer(fl, rules)
	s.path, s.dir, s.done = path, dir, make(chan error, 1)
	var ctx context.Context
	ctx, s.cancel = context.WithCancel(context.Background())
	go func() { s.done <- s.Serve(ctx, l) }()
	return s, nil
}

// Path returns the socket path of a server started by [StartServer].
func (s *Server) Path() string { return s.path }

// Dir returns the private directory of a server started by [StartServer]:
// what is put there is removed with it by Close.
func (s *Server) Dir() string { return s.dir }

// Close stops a server started by [StartServer], waits until no
// command is being applied and removes the socket. Call it before the
// hook commits or rolls back.
func (s *Server) Close() error {
	if s.cancel == nil {
		return errors.New("reactive: cli server: not started by StartServer")
	}
	s.cancel()
	err := <-s.done
	s.done <- err // a second Close returns the same
	if rmErr := os.RemoveAll(s.dir); err == nil && rmErr != nil {
		err = fmt.Errorf("reactive: cli server: %w", rmErr)
	}
	return err
}

func (s *Server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = true
	return true
}

func (s *Server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.Close()
}

// serveConn answers the requests on one connection, one line each.
func (s *Server) serveConn(c net.Conn) {
	r := bufio.NewReaderSize(c, 64<<10)
	enc := json.NewEncoder(c)
	for {
		line, err := readLine(r)
		if err != nil {
			if !errors.Is(err, io.EOF) {
				enc.Encode(response{Stderr: []byte(Program + ": bad request: " + err.Error() + "\n"), Code: ExitFalse})
			}
			return
		}
		var req request
		var resp response
		if err := json.Unmarshal(line, &req); err != nil {
			resp = response{Stderr: []byte(Program + ": bad request: " + err.Error() + "\n"), Code: ExitFalse}
		} else {
			resp = s.do(req)
		}
		if err := enc.Encode(resp); err != nil {
			return
		}
	}
}

// readLine reads one newline-terminated line of at most maxRequest bytes.
func readLine(r *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > maxRequest {
			return nil, fmt.Errorf("request longer than %d bytes", maxRequest)
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
func (s *Server) do(req request) response {
	var stdout, stderr bytes.Buffer
	inv, err := parse(req.Args)
	if err != nil {
		return response{Stderr: usageBytes(err), Code: ExitUsage}
	}
	if inv.help != "" {
		return response{Stdout: []byte(inv.help)}
	}
	s.apply.Lock()
	defer s.apply.Unlock()
	sess := &session{fl: s.fl, rules: s.rules, cwd: req.Cwd}
	code := sess.execute(inv, &stdout, &stderr)
	return response{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), Code: code}
}

func usageBytes(err error) []byte {
	var b bytes.Buffer
	usageError(&b, err)
	return b.Bytes()
}

// call sends a command line to the hook process serving sock and
// copies its reply.
func call(ctx context.Context, sock string, args []string, cwd string, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "%s: cannot reach the hook process at %s=%s: %v\n", Program, SocketEnv, sock, err)
		return ExitFalse
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
	if err := json.NewEncoder(c).Encode(request{Args: args, Cwd: cwd}); err != nil {
		return fail(err)
	}
	var resp response
	if err := json.NewDecoder(c).Decode(&resp); err != nil {
		return fail(fmt.Errorf("reading the reply: %w", err))
	}
	stdout.Write(resp.Stdout)
	stderr.Write(resp.Stderr)
	return resp.Code
}
