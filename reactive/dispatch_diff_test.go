package reactive_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/charmkit/charmkit/flags"
	"github.com/charmkit/charmkit/reactive"
	"github.com/stretchr/testify/require"
)

// A random charm for the differential test: handlers over a few flags,
// each with a condition and actions that set or clear flags.
type refCond struct {
	kind  string // all, any, none, notall, hook
	flags []string
}

type refAction struct {
	set  bool
	flag string
}

type refHandler struct {
	name    string
	conds   []refCond
	actions []refAction
}

func (h refHandler) watched() []string {
	var out []string
	for _, c := range h.conds {
		for _, f := range c.flags {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

func (h refHandler) condition() reactive.Condition {
	var cs []reactive.Condition
	for _, c := range h.conds {
		switch c.kind {
		case "all":
			cs = append(cs, reactive.WhenAll(c.flags...))
		case "any":
			cs = append(cs, reactive.WhenAny(c.flags...))
		case "none":
			cs = append(cs, reactive.WhenNone(c.flags...))
		case "notall":
			cs = append(cs, reactive.WhenNotAll(c.flags...))
		case "hook":
			cs = append(cs, reactive.OnHook("config-changed"))
		}
	}
	return reactive.All(cs...)
}

func randomCharm(rng *rand.Rand) ([]refHandler, []string) {
	pool := []string{"a", "b", "c", "d", "e"}
	pick := func() []string {
		n := 1 + rng.IntN(2)
		var out []string
		for range n {
			out = append(out, pool[rng.IntN(len(pool))])
		}
		return out
	}
	var hs []refHandler
	for i := range 1 + rng.IntN(12) {
		h := refHandler{name: fmt.Sprintf("h%d", i)}
		if rng.IntN(6) == 0 {
			h.conds = []refCond{{kind: "hook"}}
		} else {
			for range 1 + rng.IntN(2) {
				h.conds = append(h.conds, refCond{kind: []string{"all", "any", "none", "notall"}[rng.IntN(4)], flags: pick()})
			}
			if rng.IntN(8) == 0 {
				h.conds = append(h.conds, refCond{kind: "all"}) // When(): watches nothing
			}
		}
		for range rng.IntN(4) {
			h.actions = append(h.actions, refAction{set: rng.IntN(2) == 0, flag: pool[rng.IntN(len(pool))]})
		}
		hs = append(hs, h)
	}
	var initial []string
	for _, f := range pool {
		if rng.IntN(2) == 0 {
			initial = append(initial, f)
		}
	}
	return hs, initial
}

// possible reports whether the registry would accept the handler (a flag
// both required set and unset can never fire and is rejected).
func possible(h refHandler) bool {
	set, unset := map[string]bool{}, map[string]bool{}
	for _, c := range h.conds {
		for _, f := range c.flags {
			switch c.kind {
			case "all":
				set[f] = true
			case "none":
				unset[f] = true
			}
		}
	}
	for f := range set {
		if unset[f] {
			return false
		}
	}
	return true
}

// refDispatch is the algorithm of docs/design.md, "The algorithm", line for
// line, re-testing every handler: the reference the indexed dispatcher must
// agree with.
func refDispatch(fl *flags.Flags, hs []refHandler, maxIter int) []string {
	var invoked []string
	iteration := 0
	var changes, pending []string
	removed := false
	fl.OnChange = func(f string, _ bool) { pending = append(pending, f) }
	phase := "hooks"
	holds := func(c refCond) bool {
		if c.kind == "hook" {
			return phase == "hooks"
		}
		if phase != "other" {
			return false
		}
		switch c.kind {
		case "all":
			return fl.AllSet(c.flags...)
		case "any":
			return fl.AnySet(c.flags...)
		case "none":
			return !fl.AnySet(c.flags...)
		default:
			return !fl.AllSet(c.flags...)
		}
	}
	test := func(h refHandler) bool {
		if w := h.watched(); len(w) > 0 {
			ok := iteration == 0
			for _, f := range w {
				ok = ok || slices.Contains(changes, f)
			}
			if !ok {
				return false
			}
		}
		for _, c := range h.conds {
			if !holds(c) {
				return false
			}
		}
		return true
	}
	filter := func(in []refHandler) []refHandler {
		var out []refHandler
		for _, h := range in {
			if test(h) {
				out = append(out, h)
			}
		}
		return out
	}
	runBatch := func(batch []refHandler) {
		for len(batch) > 0 {
			removed = false
			var next []refHandler
			for j, h := range batch {
				invoked = append(invoked, h.name)
				for _, a := range h.actions {
					if a.set {
						_ = fl.Set(a.flag)
					} else {
						_ = fl.Clear(a.flag)
						removed = true
					}
				}
				if removed {
					next = filter(batch[j+1:])
					break
				}
			}
			batch = next
		}
		changes, pending = pending, nil
	}
	runBatch(filter(hs))
	phase = "other"
	for i := range maxIter {
		iteration = i
		batch := filter(hs)
		if len(batch) == 0 {
			break
		}
		runBatch(batch)
	}
	return invoked
}

// Ensure the indexed dispatcher gives exactly the invocations and final flags of
// the reference algorithm (docs/design.md, "Decision 3") on random charms.
func TestDispatchMatchesPseudoCode(t *testing.T) {
	n := 600
	if testing.Short() {
		n = 100
	}
	for seed := range n {
		rng := rand.New(rand.NewPCG(uint64(seed), 7))
		hs, initial := randomCharm(rng)
		hs = slices.DeleteFunc(hs, func(h refHandler) bool { return !possible(h) })
		maxIter := 1 + rng.IntN(12)

		// Reference, on its own in-memory store.
		ref := flags.OpenMemory()
		setFlags(t, ref, initial...)
		var want []string
		var wantFlags []string
		require.NoError(t, ref.Update(context.Background(), func(tx *flags.Tx) error {
			fl := flags.New(tx)
			want = refDispatch(fl, hs, maxIter)
			wantFlags = fl.List()
			return nil
		}))

		r := reactive.NewRegistry()
		for _, h := range hs {
			r.Handle(h.name, h.condition(), func(_ context.Context, hk *reactive.Hook) error {
				for _, a := range h.actions {
					var err error
					if a.set {
						err = hk.SetFlag(a.flag)
					} else {
						err = hk.ClearFlag(a.flag)
					}
					if err != nil {
						return err
					}
				}
				return nil
			})
		}
		s := newStore(t)
		setFlags(t, s, initial...)
		res, _ := runHook(t, r, s, "config-changed", func(o *reactive.RunOptions) { o.MaxIterations = maxIter; o.Trace = seed%2 == 0 })
		require.NoError(t, res.Err, "seed %d", seed)
		require.Equal(t, want, res.Invoked, "seed %d: handlers %+v, initial %v", seed, hs, initial)
		require.Equal(t, wantFlags, flagList(t, s), "seed %d", seed)
	}
}
