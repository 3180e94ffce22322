package fakejuju

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Status is a workload status, as status-set sets it and status-get reads it.
type Status struct {
	// State is "maintenance", "blocked", "waiting" or "active" as set by
	// status-set; "" (or "unknown") before any status-set.
	State string `json:"state,omitempty"`
	// Message is the status message.
	Message string `json:"message,omitempty"`
}

// StateOrUnknown returns State, or "unknown" when it is empty.
func (s Status) StateOrUnknown() string {
	if s.State == "" {
		return "unknown"
	}
	return s.State
}

// StatusChange is one successful status-set call.
type StatusChange struct {
	// Unit is the unit that called status-set.
	Unit string `json:"unit"`
	// Application is true for status-set --application.
	Application bool `json:"application,omitempty"`
	Status
	// Time is the simulated time of the call.
	Time time.Time `json:"time"`
}

// LogRecord is one juju-log record: a level and a message.
type LogRecord struct {
	Level   string `json:"level"`   // Juju's level name: TRACE, DEBUG, INFO, WARNING, ERROR, CRITICAL
	Message string `json:"message"` // the joined arguments, with the relation prefix in relation hooks
}

// LogEntry is a [LogRecord] in a model's journal, with where and when it
// was logged.
type LogEntry struct {
	Unit    string    `json:"unit"`
	Context string    `json:"context,omitempty"`
	Hook    string    `json:"hook,omitempty"`
	Time    time.Time `json:"time"`
	LogRecord
}

// ToolCall records one hook-tool call a unit made and what the tool answered.
type ToolCall struct {
	Unit    string    `json:"unit"`
	Context string    `json:"context,omitempty"`
	Hook    string    `json:"hook,omitempty"`
	Tool    string    `json:"tool"`           // e.g. "leader-set"
	Args    []string  `json:"args"`           // the arguments after the tool name
	Stdin   string    `json:"stdin,omitzero"` // what the tool read on stdin, if anything
	Stdout  string    `json:"stdout,omitzero"`
	Stderr  string    `json:"stderr,omitzero"` // "ERROR <message>\n" on failure
	Time    time.Time `json:"time"`            // simulated time of the call
	// ExitCode is the tool's exit status: 0 on success, 1 for an error
	// while running, 2 for a usage error; -1 when the tool was not found.
	ExitCode int `json:"exit-code"`
}

// String renders the call as a command line, e.g. `leader-set motd=hello`;
// an argument that is empty or holds white space or quotes is quoted (%q).
// A call that failed ends with its exit status, e.g. ` (exit 1)`.
func (c ToolCall) String() string {
	var b strings.Builder
	b.WriteString(c.Tool)
	for _, a := range c.Args {
		b.WriteByte(' ')
		if a == "" || strings.ContainsAny(a, " \t\n\"'\\") {
			b.WriteString(strconv.Quote(a))
		} else {
			b.WriteString(a)
		}
	}
	if c.ExitCode != 0 {
		fmt.Fprintf(&b, " (exit %d)", c.ExitCode)
	}
	return b.String()
}

// LeaseAnswer records a leadership check that answered true (an is-leader
// call, the check of a leader-only tool, or the check Juju makes before
// leader-elected): from Time the unit is guaranteed leadership until Time +
// [Guarantee].
type LeaseAnswer struct {
	Unit    string    `json:"unit"`
	Context string    `json:"context,omitempty"`
	Time    time.Time `json:"time"`
	Epoch   int       `json:"epoch"`
}

// Until returns the end of the guarantee the answer gave.
func (l LeaseAnswer) Until() time.Time { return l.Time.Add(Guarantee) }

// Fault makes a hook tool fail for one unit, without any other effect. The
// zero value is no fault.
type Fault struct {
	// Missing makes the tool absent, as Juju 4 has no leader-get or
	// leader-set: running it is a "not found" error (hookenv.ErrToolNotFound).
	Missing bool `json:"missing,omitempty"`
	// Cause is a failure on the controller's side; the tool prints it after
	// its own prefix, as Juju does: is-leader "leadership status unknown:
	// <cause>", leader-get "cannot read leadership settings: <cause>",
	// leader-set "cannot write leadership settings: cannot write settings:
	// failed to merge leadership settings: <cause>"; other tools print the
	// cause alone. Exit status 1 unless ExitCode says otherwise.
	Cause string `json:"cause,omitempty"`
	// Message, when Cause is empty, is the whole text printed after "ERROR ".
	Message string `json:"message,omitempty"`
	// ExitCode is the exit status; zero means 1.
	ExitCode int `json:"exit-code,omitempty"`
}

// Active reports whether the fault does anything.
func (f Fault) Active() bool { return f.Missing || f.ExitCode != 0 || f.Message != "" || f.Cause != "" }

// faultPrefix is what Juju's tools print before a controller-side cause.
var faultPrefix = map[string]string{
	"is-leader":  "leadership status unknown: ",
	"leader-get": "cannot read leadership settings: ",
	"leader-set": "cannot write leadership settings: cannot write settings: failed to merge leadership settings: ",
}

// text returns what the faulty tool prints after "ERROR ".
func (f Fault) text(tool string) string {
	if f.Cause != "" {
		return faultPrefix[tool] + f.Cause
	}
	return f.Message
}

func (f Fault) code() int {
	if f.ExitCode == 0 {
		return 1
	}
	return f.ExitCode
}

// Entry is one record of a model's journal: the append-only history of tool
// calls, logs, status changes and leadership answers. Exactly one of the
// pointer fields is set.
type Entry struct {
	Call   *ToolCall     `json:"call,omitempty"`
	Log    *LogEntry     `json:"log,omitempty"`
	Status *StatusChange `json:"status,omitempty"`
	Lease  *LeaseAnswer  `json:"lease,omitempty"`
}
