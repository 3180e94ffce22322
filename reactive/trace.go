package reactive

import (
	"sort"
	"strconv"
	"strings"
)

// tracer receives dispatch events (charms.reactive's tracer API).
type tracer interface {
	startDispatch(setFlags []string)
	startPhase(phase Phase, queued []string)
	startIteration(i int, queued []string)
	setFlag(f string)
	clearFlag(f string)
}

// nullTracer ignores every event.
type nullTracer struct{}

func (nullTracer) startDispatch([]string)       {}
func (nullTracer) startPhase(Phase, []string)   {}
func (nullTracer) startIteration(int, []string) {}
func (nullTracer) setFlag(string)               {}
func (nullTracer) clearFlag(string)             {}

// logTracer writes charms.reactive's LogTracer text (docs/design.md, "Tracing"):
// one log call per flush, "tracer: <msg>" for a single message, and "tracer>"
// followed by one "tracer: <msg>" line per message otherwise.
type logTracer struct {
	log    func(text string)
	queued func() []string // the handlers that would be queued now; side-effect free
	active map[string]bool
	msgs   []string
}

func newLogTracer(log func(string), queued func() []string) *logTracer {
	return &logTracer{log: log, queued: queued, active: map[string]bool{}}
}

func (t *logTracer) emit(msg string) { t.msgs = append(t.msgs, msg) }

func (t *logTracer) flush() {
	if len(t.msgs) == 0 {
		return
	}
	var text string
	if len(t.msgs) == 1 {
		text = "tracer: " + t.msgs[0]
	} else {
		var b strings.Builder
		b.WriteString("tracer>")
		for _, m := range t.msgs {
			b.WriteString("\ntracer: ")
			b.WriteString(m)
		}
		text = b.String()
	}
	t.msgs = t.msgs[:0]
	t.log(text)
}

func setOf(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

func (t *logTracer) startDispatch(setFlags []string) {
	t.emit("starting handler dispatch, " + strconv.Itoa(len(setFlags)) + " flags set")
	for _, f := range setFlags {
		t.emit("set flag " + f)
	}
	t.flush()
}

func (t *logTracer) startPhase(phase Phase, queued []string) {
	if phase == PhaseOther {
		t.emit("main dispatch loop, " + strconv.Itoa(len(queued)) + " handlers queued")
	} else {
		t.emit(string(phase) + " phase, " + strconv.Itoa(len(queued)) + " handlers queued")
	}
	sorted := append([]string(nil), queued...)
	sort.Strings(sorted)
	for _, n := range sorted {
		t.emit("++   queue handler " + n)
	}
	t.flush()
	t.active = setOf(queued)
}

func (t *logTracer) startIteration(_ int, queued []string) { t.active = setOf(queued) }

func (t *logTracer) setFlag(f string)   { t.flag("set flag " + f) }
func (t *logTracer) clearFlag(f string) { t.flag("cleared flag " + f) }

func (t *logTracer) flag(msg string) {
	t.emit(msg)
	next := setOf(t.queued())
	var added, removed []string
	for n := range next {
		if !t.active[n] {
			added = append(added, n)
		}
	}
	for n := range t.active {
		if !next[n] {
			removed = append(removed, n)
		}
	}
	sort.Strings(added)
	sort.Strings(removed)
	for _, n := range added {
		t.emit("++   queue handler " + n)
	}
	for _, n := range removed {
		t.emit("-- dequeue handler " + n)
	}
	t.flush()
	t.active = next
}
