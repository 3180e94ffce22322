package fakejuju

import (
	"fmt"
	"maps"

	"github.com/charmkit/charmkit/hookenv"
	"github.com/charmkit/charmkit/internal/jujucmd"
)

func init() {
	serve(map[string]toolFunc{
		"state-get":    stateGet,
		"state-set":    stateSet,
		"state-delete": stateDelete,
	})
}

// Limits Juju puts on the unit's server-side state, in bytes.
const (
	MaxStateKeySize   = 256
	MaxStateValueSize = 64 * 1024
)

// stateView returns the unit's server-side state as the context sees it: the
// state read at the context's first state-* call, with the context's own
// pending writes applied. Juju loads the state once per context, at the first
// state-get, state-set or state-delete, and edits that copy.
func (t *invocation) stateView() map[string]string {
	if t.c.StateSnapshot == nil {
		t.c.StateSnapshot = maps.Clone(t.u.State)
		if t.c.StateSnapshot == nil {
			t.c.StateSnapshot = map[string]string{}
		}
	}
	view := maps.Clone(t.c.StateSnapshot)
	for k, v := range t.c.PendingState {
		if v == nil {
			delete(view, k)
		} else {
			view[k] = *v
		}
	}
	return view
}

// queueState records a pending state write (value nil deletes).
func (t *invocation) queueState(key string, value *string) {
	if t.c.PendingState == nil {
		t.c.PendingState = map[string]*string{}
	}
	t.c.PendingState[key] = value
}

func stateGet(t *invocation) error {
	p, err := t.parse("[options] [<key>]", append(jujucmd.FormatOptions("smart"), jujucmd.Option{Name: "strict"})...)
	if p == nil {
		return err
	}
	key := "-"
	if len(p.Positional) > 0 {
		key = p.Positional[0]
	}
	if len(p.Positional) > 1 {
		return jujucmd.Unrecognized(p.Positional[1:])
	}
	view := t.stateView()
	if key == "-" {
		if len(view) == 0 {
			return t.emit(p, nil) // Juju hands an empty state over as nil: null, or nothing
		}
		return t.emit(p, view)
	}
	v, found := view[key]
	if !found {
		if p.Bool("strict") {
			return fmt.Errorf("%q not found", key)
		}
		return t.emit(p, nil)
	}
	return t.emit(p, v)
}

func stateSet(t *invocation) error {
	p, err := t.parse("[options] key=value [key=value ...]", jujucmd.Option{Name: "file", Value: true})
	if p == nil {
		return err
	}
	kv, err := hookenv.DecodeKeyValues(p.Positional)
	if err != nil {
		return jujucmd.Usagef("%v", err)
	}
	values := map[string]string{}
	if p.IsSet("file") {
		data, err := t.readInput(p.Value("file"))
		if err != nil {
			return err
		}
		if err := decodeSettingsFile(data, values); err != nil {
			return err
		}
	}
	maps.Copy(values, kv) // arguments override the file
	// Juju checks each pair as it stores it, in map order, so a refused
	// pair may leave others stored; the fake checks them all first and
	// stores none on a refusal.
	for k, v := range values {
		if err := checkStateSize(k, v); err != nil {
			return err
		}
	}
	view := t.stateView()
	for k, v := range values {
		if old, found := view[k]; found && old == v {
			continue // writing the value a key has is a no-op
		}
		// An empty value is stored as "": state-set never deletes.
		t.queueState(k, &v)
	}
	return nil
}

// checkStateSize is Juju's quota check of one state entry.
func checkStateSize(key, value string) error {
	if len(key) > MaxStateKeySize {
		return fmt.Errorf("max allowed key length (%d) exceeded", MaxStateKeySize)
	}
	if len(value) > MaxStateValueSize {
		return fmt.Errorf("max allowed value length (%d) exceeded", MaxStateValueSize)
	}
	return nil
}

func stateDelete(t *invocation) error {
	p, err := t.parse("<key>")
	if p == nil {
		return err
	}
	if len(p.Positional) == 0 {
		return nil // Juju's command treats a missing key as nothing to delete
	}
	if len(p.Positional) > 1 {
		return jujucmd.Unrecognized(p.Positional[1:])
	}
	key := p.Positional[0]
	if _, found := t.stateView()[key]; found {
		t.queueState(key, nil)
	}
	return nil
}
