package jujusim

import (
	"errors"
	"fmt"
)

// Errors returned by the simulator. Hook failures are not errors of the
// simulator: they are reported in [Event.ExitCode] and put the unit in error.
var (
	// ErrUnitInError is returned when a hook is asked of a unit whose last
	// hook failed and has not been retried or resolved.
	ErrUnitInError = errors.New("jujusim: unit is in error state")
	// ErrNotInError is returned by [Unit.Retry] and [Unit.Resolve] when the
	// unit has no failed hook.
	ErrNotInError = errors.New("jujusim: unit is not in error state")
	// ErrUnitGone is returned for a unit that was removed or killed.
	ErrUnitGone = errors.New("jujusim: unit is gone")
	// ErrNotSettled is returned by [Model.Settle] when hooks keep being
	// queued beyond its limit.
	ErrNotSettled = errors.New("jujusim: model did not settle")
	// ErrHookFailed is matched (with errors.Is) by the *HookError that
	// [Model.Deploy] and [Model.Settle] return when a hook failed.
	ErrHookFailed = errors.New("jujusim: hook failed")
	// ErrBadConfig is returned by [Model.SetConfig] for an unknown option or
	// a value that does not parse as the option's type.
	ErrBadConfig = errors.New("jujusim: bad config")
	// ErrBadAction is returned by [Unit.RunAction] for an action the
	// charm does not declare, or parameters its actions.yaml does not
	// allow.
	ErrBadAction = errors.New("jujusim: bad action")
	// ErrLeaseOverlap is returned by [Model.CheckLeases] when two units held
	// an unexpired leadership guarantee at the same simulated moment.
	ErrLeaseOverlap = errors.New("jujusim: leadership guarantees overlap")
)

// HookError describes hooks that failed during [Model.Deploy] or
// [Model.Settle]. It matches [ErrHookFailed].
type HookError struct {
	Failed []*Event
}

// Error lists the failed hooks: "jujusim: hook failed: app/1 install exit 1".
func (e *HookError) Error() string {
	msg := "jujusim: hook failed:"
	for i, ev := range e.Failed {
		if i > 0 {
			msg += ";"
		}
		msg += fmt.Sprintf(" %s %s exit %d", ev.Unit, ev.Hook, ev.ExitCode)
	}
	return msg
}

// Is reports whether target is ErrHookFailed.
func (e *HookError) Is(target error) bool { return target == ErrHookFailed }
