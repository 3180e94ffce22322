package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmkit/charmkit/flags"
)

// commands are the subcommands, in the order --help lists them.
var commands []*command

func init() {
	flagCmd := func(name, arg, help string, kind cmdKind, opts []string, run func(e *session, inv *invocation) (any, error)) *command {
		c := &command{name: name, help: help, kind: kind, options: opts, needsStore: true, run: run}
		if arg != "" {
			c.positional = []string{arg}
		}
		return c
	}
	variadic := func(name, arg, help string, kind cmdKind, run func(e *session, inv *invocation) (any, error)) *command {
		return &command{name: name, help: help, kind: kind, variadic: arg, needsStore: true, run: run}
	}
	setFlag := func(e *session, inv *invocation) (any, error) {
		if v, ok := inv.opt("value"); ok {
			// The value arrives as a string and is stored as one [O].
			return nil, e.fl.SetValue(inv.pos[0], v)
		}
		return nil, e.fl.Set(inv.pos[0])
	}
	clearFlag := func(e *session, inv *invocation) (any, error) { return nil, e.fl.Clear(inv.pos[0]) }
	isSet := func(e *session, inv *invocation) (any, error) { return e.fl.AnySet(inv.pos[0]), nil }
	allSet := func(e *session, inv *invocation) (any, error) { return e.fl.AllSet(inv.rest...), nil }
	anySet := func(e *session, inv *invocation) (any, error) { return e.fl.AnySet(inv.rest...), nil }
	getStates := func(e *session, inv *invocation) (any, error) { return statesOutput(e.fl), nil }
	cond := func(test string) func(e *session, inv *invocation) (any, error) {
		return func(e *session, inv *invocation) (any, error) { return e.holds(test, inv.rest) }
	}

	commands = []*command{
		flagCmd("set_flag", "flag", "Set the given flag as active (--value is stored as a string).", kindNoOutput, []string{"value"}, setFlag),
		flagCmd("clear_flag", "flag", "Clear / deactivate a flag.", kindNoOutput, nil, clearFlag),
		{name: "toggle_flag", positional: []string{"flag", "should_set"}, kind: kindNoOutput, needsStore: true,
			help: "Set the flag when should_set is a non-empty string (even False), clear it otherwise.",
			run: func(e *session, inv *invocation) (any, error) {
				// should_set is a string: any non-empty word is true (X18).
				return nil, e.fl.Toggle(inv.pos[0], inv.pos[1] != "")
			}},
		flagCmd("register_trigger", "", "Register a trigger to set or clear a flag when a given flag is set or cleared.", kindNoOutput,
			[]string{"when", "when_not", "set_flag", "clear_flag", "callback"}, registerTriggerCmd),
		flagCmd("is_flag_set", "flag", "Assert that a flag is set.", kindTest, nil, isSet),
		variadic("all_flags_set", "desired_flags", "Assert that all desired_flags are set.", kindTest, allSet),
		variadic("any_flags_set", "desired_flags", "Assert that any of the desired_flags are set.", kindTest, anySet),
		flagCmd("get_flags", "", "Return a list of all flags which are set.", kindPrint, nil,
			func(e *session, inv *invocation) (any, error) { return e.flagList(), nil }),
		variadic("get_unset_flags", "desired_flags", "Return the desired_flags that are not set.", kindPrint,
			func(e *session, inv *invocation) (any, error) { return e.fl.Unset(inv.rest...), nil }),
		flagCmd("set_state", "state", "Deprecated alias of set_flag.", kindNoOutput, []string{"value"}, setFlag),
		flagCmd("remove_state", "state", "Deprecated alias of clear_flag.", kindNoOutput, nil, clearFlag),
		flagCmd("is_state", "state", "Deprecated alias of is_flag_set.", kindTest, nil, isSet),
		variadic("all_states", "desired_states", "Deprecated alias of all_flags_set.", kindTest, allSet),
		variadic("any_states", "desired_states", "Deprecated alias of any_flags_set.", kindTest, anySet),
		flagCmd("get_states", "", "Deprecated: return a mapping of all active states to their values.", kindPrint, nil, getStates),
		{name: "relation_call", positional: []string{"method"}, variadic: "args", options: []string{"relation_name", "flag", "state"},
			kind: kindPrint, help: "Not supported by charmkit (legacy RelationBase).",
			run: func(e *session, inv *invocation) (any, error) {
				return nil, fmt.Errorf("relation_call is %w: charmkit has no RelationBase objects", errUnsupported)
			}},
		variadic("any_hook", "hook_patterns", "Check if the current hook matches one of the patterns (no phase check).", kindTest,
			func(e *session, inv *invocation) (any, error) { return e.holds("any_hook", inv.rest) }),
		variadic("hook", "hook_patterns", "Check if the current hook matches one of the patterns (hooks phase only).", kindTest,
			func(e *session, inv *invocation) (any, error) { return e.holds("hook", inv.rest) }),
		variadic("when", "desired_states", "Alias of when_all.", kindTest, cond("when")),
		variadic("when_all", "desired_states", "Check if all of the desired_states are active (other phase).", kindTest, cond("when_all")),
		variadic("when_any", "desired_states", "Check if any of the desired_states are active (other phase).", kindTest, cond("when_any")),
		variadic("when_not", "desired_states", "Alias of when_none.", kindTest, cond("when_not")),
		variadic("when_none", "desired_states", "Check if none of the desired_states are active (other phase).", kindTest, cond("when_none")),
		variadic("when_not_all", "desired_states", "Check if at least one of the desired_states is not active (other phase).", kindTest, cond("when_not_all")),
		variadic("when_file_changed", "filenames", "Check if files have changed since the last time they were checked.", kindTest,
			func(e *session, inv *invocation) (any, error) { return e.filesChanged(inv.rest) }),
		flagCmd("only_once", "handler_id", "Check if handler has not already been run in the past.", kindTest, nil,
			func(e *session, inv *invocation) (any, error) { return !flags.WasInvoked(e.fl.Tx(), inv.pos[0]), nil }),
		variadic("mark_invoked", "handler_ids", "Record that the handler has been invoked, for use with only_once.", kindNoOutput,
			func(e *session, inv *invocation) (any, error) {
				for _, id := range inv.rest {
					if err := flags.MarkInvoked(e.fl.Tx(), id); err != nil {
						return nil, err
					}
				}
				return nil, nil
			}),
		variadic("test", "handlers", "Combined test function to apply one or more tests to multiple handlers.", kindPrint, testCmd),
		{name: "render_template", positional: []string{"source", "target"}, kind: kindNoOutput,
			help: "Not supported by charmkit (Jinja2).",
			run: func(e *session, inv *invocation) (any, error) {
				return nil, fmt.Errorf("render_template is %w: there is no Jinja2 in Go; render templates in a handler", errUnsupported)
			}},
		{name: GraphCommand, kind: kindPrint, help: "Print the charm's handler/flag graph in Graphviz DOT (charmkit only).",
			run: func(e *session, inv *invocation) (any, error) { return e.rules.Graph() }},
	}
}

func registerTriggerCmd(e *session, inv *invocation) (any, error) {
	if _, ok := inv.opt("callback"); ok {
		return nil, fmt.Errorf("a callback cannot be given from the shell")
	}
	t := flags.Trigger{}
	t.When, _ = inv.opt("when")
	t.WhenNot, _ = inv.opt("when_not")
	t.SetFlag, _ = inv.opt("set_flag")
	t.ClearFlag, _ = inv.opt("clear_flag")
	return nil, e.fl.RegisterTrigger(t)
}

// testCmd is charms.reactive test SPEC... (docs/cli.md): the names of the
// handler specs whose tests all hold, joined with commas.
func testCmd(e *session, inv *invocation) (any, error) {
	var passed []string
	for _, spec := range inv.rest {
		ok, name, err := e.testSpec(spec)
		if err != nil {
			return nil, err
		}
		if ok {
			passed = append(passed, name)
		}
	}
	return strings.Join(passed, ","), nil
}

// testSpec evaluates one spec 'NAME' 'ID' 'TEST1' 'ARGS1' ...: every test is
// evaluated (no early stop), then the watch rule when when* tests named
// flags.
func (e *session) testSpec(spec string) (bool, string, error) {
	parts, err := shlexSplit(spec)
	if err != nil {
		return false, "", fmt.Errorf("handler spec %q: %w", spec, err)
	}
	if len(parts) < 2 {
		return false, "", fmt.Errorf("handler spec %q: want at least a name and an id", spec)
	}
	name, id := parts[0], parts[1]
	result := true
	var watched []string
	// Pairs of test name and arguments; a trailing name without arguments
	// is dropped, as Python's zip does.
	for i := 2; i+1 < len(parts); i += 2 {
		test := parts[i]
		args, err := shlexSplit(parts[i+1])
		if err != nil {
			return false, "", fmt.Errorf("handler spec %q: test %s: %w", spec, test, err)
		}
		var ok bool
		switch test {
		case "hook", "when", "when_all", "when_any", "when_not", "when_none", "when_not_all":
			ok, err = e.holds(test, args)
		case "when_file_changed":
			ok, err = e.filesChanged(args)
		case "only_once":
			ok = !flags.WasInvoked(e.fl.Tx(), id)
		default:
			return false, "", fmt.Errorf("handler spec %q: invalid test: %s", spec, test)
		}
		if err != nil {
			return false, "", fmt.Errorf("handler spec %q: %w", spec, err)
		}
		if test != "hook" && test != "when_file_changed" && test != "only_once" {
			for _, a := range args {
				if !slices.Contains(watched, a) {
					watched = append(watched, a)
				}
			}
		}
		result = result && ok
	}
	if len(watched) > 0 {
		ok, err := e.rules.WatchAllows(e.fl.Tx(), watched)
		if err != nil {
			return false, "", err
		}
		result = result && ok
	}
	return result, name, nil
}
