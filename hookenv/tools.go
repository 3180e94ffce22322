package hookenv

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Tools wraps Juju's hook tools with typed methods. A nil Runner means
// [ExecRunner]{}. One Tools value serves one hook: it caches what Juju itself
// snapshots per hook context (config, and leader settings until this hook's own
// successful leader-set), so a cached answer is always the one Juju would give.
// Tools is safe for concurrent use.
type Tools struct {
	// Runner runs the tools; nil means ExecRunner{}.
	Runner Runner
	// Leader, if set, guards the leader-only writes (LeaderSet, StatusSet of
	// the application, RelationSet of the application bag): each first calls
	// Leader.RequireLeader, so a unit that is not the leader gets ErrNotLeader
	// without running the tool, and the 30-second guarantee is re-checked once
	// it lapsed (docs/design.md, "Lease tracking and ErrNotLeader"). The
	// leadership layer sets it on the hook's Tools when it starts. Nil means
	// no check: Juju's own refusal then comes back as a ToolError matching
	// ErrNotLeader.
	Leader *LeaderTracker

	mu           sync.Mutex
	config       Config            // config-get --all snapshot, nil until read
	leaderCache  map[string]string // leader-get - snapshot, nil until read or after leader-set
	leaderCached bool
}

// run runs one tool through the configured runner.
func (t *Tools) run(ctx context.Context, tool string, args []string, stdin []byte) ([]byte, error) {
	r := t.Runner
	if r == nil {
		r = ExecRunner{}
	}
	return r.Run(ctx, tool, args, stdin)
}

// requireLeader runs the Leader check, if any.
func (t *Tools) requireLeader(ctx context.Context, tool string) error {
	if t.Leader == nil {
		return nil
	}
	if err := t.Leader.RequireLeader(ctx); err != nil {
		return fmt.Errorf("%s: %w", tool, err)
	}
	return nil
}

// runJSON runs a tool whose output is JSON and decodes it into v.
func (t *Tools) runJSON(ctx context.Context, tool string, args []string, v any) error {
	out, err := t.run(ctx, tool, args, nil)
	if err != nil {
		return err
	}
	return decodeJSON(tool, out, v)
}

// Names as Juju's names package defines them.
var (
	appNameRE  = regexp.MustCompile(`^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*$`)
	unitNameRE = regexp.MustCompile(`^([a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*)/(0|[1-9][0-9]*)$`)
	relIDRE    = regexp.MustCompile(`^(?:([^:\s]+):)?(0|[1-9][0-9]*)$`)
	endpointRE = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
)

// checkRelID validates a relation id as "N" or "endpoint:N" (the form Juju puts in
// JUJU_RELATION_ID and relation-ids prints).
func checkRelID(tool, id string) error {
	if !relIDRE.MatchString(id) {
		return invalidf(tool, "invalid relation id %q: want <endpoint>:<number>", id)
	}
	return nil
}

func checkEndpoint(tool, name string) error {
	if !endpointRE.MatchString(name) {
		return invalidf(tool, "invalid endpoint name %q", name)
	}
	return nil
}

// relArgs returns "-r id" when id is set (empty means the current relation).
func relArgs(tool, id string) ([]string, error) {
	if id == "" {
		return nil, nil
	}
	if err := checkRelID(tool, id); err != nil {
		return nil, err
	}
	return []string{"-r", id}, nil
}

// checkFreeKey validates a key passed as a positional argument of a getter.
func checkFreeKey(tool, key string) error {
	if err := checkSettingKey(key); err != nil {
		return fmt.Errorf("%s: %w", tool, err)
	}
	return nil
}

// checkText rejects free text that cannot be passed as an argument.
func checkText(tool, what, s string) error {
	if strings.IndexByte(s, 0) >= 0 {
		return invalidf(tool, "%s contains a NUL byte", what)
	}
	if len(s) > maxArgLen {
		return invalidf(tool, "%s is %d bytes, over the %d-byte argument limit", what, len(s), maxArgLen)
	}
	return nil
}
