package jujusim

import (
	"fmt"
	"github.com/charmkit/charmkit/testing/fakejuju"
	"slices"
	"strings"
	"time"
)

// Kind says what an [Event] records.
type Kind string

// The kinds of event in a model's timeline.
const (
	KindHook     Kind = "hook"     // a hook ran (or was skipped)
	KindExec     Kind = "exec"     // a command ran in a hook context (juju exec)
	KindAction   Kind = "action"   // an action ran (juju run)
	KindElect    Kind = "elect"    // leadership moved
	KindConfig   Kind = "config"   // the application's config changed
	KindClock    Kind = "clock"    // the simulated clock was moved
	KindAddUnit  Kind = "add-unit" // a unit was added
	KindRemove   Kind = "remove"   // a unit was removed
	KindKill     Kind = "kill"     // a unit's agent died
	KindFault    Kind = "fault"    // a tool failure was injected or cleared
	KindResolve  Kind = "resolve"  // a failed hook was marked resolved without a retry
	KindDeploy   Kind = "deploy"   // an application was added to the model
	KindRelate   Kind = "relate"   // two applications were related
	KindUnrelate Kind = "unrelate" // a relation was removed
)

// Event is one step of a model's timeline: a hook run with everything it
// did, or a change the test made to the model.
type Event struct {
	Seq  int       // 1-based position in the timeline
	Kind Kind      // what happened
	Time time.Time // simulated time when it started
	Unit string    // the unit concerned, if any
	// Hook is the hook name (KindHook), the command (KindExec) or the
	// action's name (KindAction).
	Hook string
	// Relation, RemoteUnit, RemoteApp and Departing are the relation
	// ("<endpoint>:<id>" as the unit sees it) and JUJU_REMOTE_UNIT,
	// JUJU_REMOTE_APP and JUJU_DEPARTING_UNIT of a relation hook.
	Relation, RemoteUnit, RemoteApp, Departing string
	// Leader reports whether the unit held leadership when the hook started.
	Leader bool
	// Skipped is why the hook was not run ("" if it ran): a leader-elected
	// whose unit is no longer leader, or a charm with no handler for it.
	Skipped string
	// Retry is true when the hook re-runs a failed one.
	Retry bool
	// Queued is true when the hook was one of the unit's pending hooks (as
	// Juju's resolver would choose it), false for a one-off the test asked
	// for by name.
	Queued bool
	// ExitCode is the process's exit status (-1 if it was killed by a
	// signal).
	ExitCode int
	// Interrupted is the signal ("SIGKILL", "SIGTERM") the process received
	// from [Unit.InterruptNext] before it ended; "" when it received none.
	Interrupted string
	// CommitError is why Juju refused the changes of a hook whose process
	// exited 0 (a non-leader's secret-set, a secret label already in use):
	// the hook failed all the same.
	CommitError string
	// Stdout and Stderr are the process's output.
	Stdout, Stderr string
	// Calls are the hook-tool calls the process made, in order.
	Calls []ToolCall
	// Logs are the juju-log records of the hook.
	Logs []LogRecord
	// FlagsBefore and FlagsAfter are the reactive flags in the unit's
	// .unit-state.db before and after the hook (nil if there is no store).
	FlagsBefore, FlagsAfter []string
	// Action is the action (KindAction) with what it reported: its
	// parameters, results (action-set), whether it failed (action-fail, or
	// the process failed: "exit status <n>") and why, and its action-log
	// messages.
	Action *Action
	// Note describes events that are not hooks.
	Note string
}

// Failed reports whether the event is a hook or command that exited non-zero.
func (e *Event) Failed() bool {
	return (e.Kind == KindHook || e.Kind == KindExec || e.Kind == KindAction) && e.Skipped == "" && (e.ExitCode != 0 || e.CommitError != "")
}

// FlagChanges returns the flags the hook set and cleared, each sorted.
func (e *Event) FlagChanges() (set, cleared []string) {
	for _, f := range e.FlagsAfter {
		if !slices.Contains(e.FlagsBefore, f) {
			set = append(set, f)
		}
	}
	for _, f := range e.FlagsBefore {
		if !slices.Contains(e.FlagsAfter, f) {
			cleared = append(cleared, f)
		}
	}
	return set, cleared
}

// CallsTo returns the calls made to the named tool.
func (e *Event) CallsTo(tool string) []ToolCall {
	var out []ToolCall
	for _, c := range e.Calls {
		if c.Tool == tool {
			out = append(out, c)
		}
	}
	return out
}

// String renders the event on one line, without times or context ids, so
// timelines can be compared with golden files.
func (e *Event) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-8s", e.Kind)
	if e.Unit != "" {
		fmt.Fprintf(&b, " %s", e.Unit)
	}
	switch e.Kind {
	case KindHook, KindExec, KindAction:
		if e.Leader {
			b.WriteString("*")
		}
		fmt.Fprintf(&b, " %s", e.Hook)
		if e.Retry {
			b.WriteString(" (retry)")
		}
		switch {
		case e.Skipped != "":
			fmt.Fprintf(&b, ": skipped (%s)", e.Skipped)
		case e.Interrupted != "":
			fmt.Fprintf(&b, ": %s, exit %d", e.Interrupted, e.ExitCode)
		case e.ExitCode != 0:
			fmt.Fprintf(&b, ": exit %d", e.ExitCode)
		case e.CommitError != "":
			fmt.Fprintf(&b, ": commit refused (%s)", e.CommitError)
		}
		set, cleared := e.FlagChanges()
		for _, f := range set {
			fmt.Fprintf(&b, " +%s", f)
		}
		for _, f := range cleared {
			fmt.Fprintf(&b, " -%s", f)
		}
	default:
		if e.Note != "" {
			fmt.Fprintf(&b, " %s", e.Note)
		}
	}
	return b.String()
}

// The records of the model are the fake Juju's own types, shared with
// testing/charmtest.
type (
	// ToolCall is one hook-tool invocation, as the fake Juju recorded it.
	ToolCall = fakejuju.ToolCall
	// LogRecord is a message the charm sent with juju-log.
	LogRecord = fakejuju.LogRecord
	// Lease is a leadership check that answered True: from Time, Unit was
	// guaranteed to lead for [Guarantee].
	Lease = fakejuju.LeaseAnswer
	// Status is a unit's or an application's workload status.
	Status = fakejuju.Status
	// StatusChange is one successful status-set call.
	StatusChange = fakejuju.StatusChange
	// Fault makes a hook tool fail (see [Unit.SetFault]).
	Fault = fakejuju.Fault
	// Action is an action a unit ran: its name, parameters, results,
	// failure and log messages; the same type as charmtest's.
	Action = fakejuju.Action
)
