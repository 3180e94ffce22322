// Command jujusim-demo builds the password charm (examples/password-charm)
// and runs it on three simulated units with jujusim, printing a readable
// timeline: every hook with its unit, whether the unit led, the handlers
// that ran, the flags that changed and the files the charm wrote. The story:
// deploy; set a config option the leader publishes; remove the leader and
// elect another unit; delete a leader setting; make the leader's hook fail
// and retry it. It ends with checks (one password, the same on every unit;
// no two units ever held a leadership guarantee at once) and exits 1 if one
// fails.
//
// Run it from the repository root:
//
//	go run ./testing/jujusim/cmd/jujusim-demo
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/charmkit/charmkit/testing/jujusim"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// config is the demo's command line.
type config struct {
	charm    string // charm source directory (metadata.yaml, config.yaml, main package)
	dispatch string // prebuilt charm binary; empty: build it
	units    int
	calls    bool // print every hook-tool call
	logs     bool // print every juju-log record
	trace    bool // run the charm with CHARMKIT_TRACE=1 and show why handlers ran
}

func run(args []string, stdout, stderr io.Writer) int {
	var c config
	fs := flag.NewFlagSet("jujusim-demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.charm, "charm", filepath.Join("examples", "password-charm"), "the password charm's source directory")
	fs.StringVar(&c.dispatch, "dispatch", "", "a prebuilt charm binary (default: build it from -charm with go build)")
	fs.IntVar(&c.units, "units", 3, "number of units")
	fs.BoolVar(&c.calls, "calls", false, "print every hook-tool call")
	fs.BoolVar(&c.logs, "logs", false, "print every juju-log record")
	fs.BoolVar(&c.trace, "trace", true, "run the charm with "+traceEnv+"=1 to show why each handler ran")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if c.units < 2 {
		fmt.Fprintln(stderr, "jujusim-demo: -units must be at least 2")
		return 2
	}
	if err := demo(c, stdout); err != nil {
		fmt.Fprintf(stderr, "jujusim-demo: %v\n", err)
		return 1
	}
	return 0
}

func demo(c config, w io.Writer) error {
	start := time.Now()
	tmp, err := os.MkdirTemp("", "jujusim-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	charmDir, dispatch, err := prepare(c, tmp)
	if err != nil {
		return err
	}
	var env []string
	if c.trace {
		env = append(env, traceEnv+"=1")
	}
	m, err := jujusim.New(jujusim.Options{Charm: charmDir, Dispatch: dispatch, Units: c.units, Dir: filepath.Join(tmp, "model"), Env: env})
	if err != nil {
		return err
	}
	defer m.Close()
	p := &printer{w: w, m: m, c: c, files: map[string]string{}}

	fmt.Fprintf(w, "charmkit demo: the password charm on %d simulated units (jujusim)\n", c.units)
	fmt.Fprintln(w, "legend: * = the unit held leadership when the hook started; L. = leadership.; +flag set, -flag cleared;")
	fmt.Fprintln(w, "        handler(why): the flag change that queued it, or \"start\" when its conditions held as dispatch began")

	p.step("deploy: install, leader-elected on the leader / leader-settings-changed on the others, config-changed, start")
	if err := m.Deploy(); err != nil {
		return err
	}
	p.flush()

	p.step("juju config password motd=hello: the leader publishes motd, the others follow")
	if err := m.SetConfig(map[string]string{"motd": "hello"}); err != nil {
		return err
	}
	if err := m.Settle(); err != nil {
		return err
	}
	p.flush()

	old := m.Leader()
	next := m.Units()[1]
	p.step(fmt.Sprintf("juju remove-unit %s (the leader); Juju elects %s once the old lease has expired", old.Name(), next.Name()))
	if err := m.RemoveUnit(old); err != nil {
		return err
	}
	if err := m.Elect(next); err != nil {
		return err
	}
	if err := m.Settle(); err != nil {
		return err
	}
	p.flush()

	p.step("juju config password motd=: the new leader deletes the motd setting; it disappears everywhere")
	if err := m.SetConfig(map[string]string{"motd": ""}); err != nil {
		return err
	}
	if err := m.Settle(); err != nil {
		return err
	}
	p.flush()

	leader := m.Leader()
	p.step(fmt.Sprintf("juju config password fail-on-unit=%s: the leader's hook fails after a leader-set (kept by Juju), its store is rolled back", leader.Name()))
	if err := m.SetConfig(map[string]string{"fail-on-unit": leader.Name()}); err != nil {
		return err
	}
	if err := m.Settle(); err != nil && !errors.Is(err, jujusim.ErrHookFailed) {
		return err
	}
	p.flush()

	p.step(fmt.Sprintf("juju config password fail-on-unit= ; juju resolved %s: the retry sees its own earlier write as a change", leader.Name()))
	if err := m.SetConfig(map[string]string{"fail-on-unit": ""}); err != nil {
		return err
	}
	if leader.InError() {
		if _, err := leader.Retry(); err != nil {
			return err
		}
	}
	if err := m.Settle(); err != nil {
		return err
	}
	p.flush()

	return p.summary(time.Since(start))
}

// prepare assembles the charm directory (metadata.yaml and config.yaml)
// and builds the charm binary unless one was given.
func prepare(c config, tmp string) (charmDir, dispatch string, err error) {
	charmDir = filepath.Join(tmp, "charm")
	if err := os.MkdirAll(charmDir, 0o755); err != nil {
		return "", "", err
	}
	for _, f := range []string{"metadata.yaml", "config.yaml"} {
		b, err := os.ReadFile(filepath.Join(c.charm, f))
		if err != nil {
			return "", "", fmt.Errorf("reading the charm: %w (run from the repository root, or pass -charm)", err)
		}
		if err := os.WriteFile(filepath.Join(charmDir, f), b, 0o644); err != nil {
			return "", "", err
		}
	}
	if c.dispatch != "" {
		return charmDir, c.dispatch, nil
	}
	dispatch = filepath.Join(tmp, "dispatch")
	src, err := filepath.Abs(c.charm)
	if err != nil {
		return "", "", err
	}
	cmd := exec.Command("go", "build", "-o", dispatch, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("building the charm: %w\n%s", err, out)
	}
	return charmDir, dispatch, nil
}

// printer prints the timeline events recorded since the last flush.
type printer struct {
	w     io.Writer
	m     *jujusim.Model
	c     config
	next  int               // timeline events already printed
	files map[string]string // unit/file -> last printed content
	steps int
}

func (p *printer) step(title string) {
	p.flush()
	p.steps++
	fmt.Fprintf(p.w, "\n== %d. %s\n", p.steps, title)
}

func (p *printer) flush() {
	tl := p.m.Timeline()
	for _, ev := range tl[p.next:] {
		p.event(ev)
	}
	p.next = len(tl)
}

func (p *printer) event(ev *jujusim.Event) {
	at := ev.Time.Sub(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)).Round(time.Second)
	switch ev.Kind {
	case jujusim.KindHook:
	case jujusim.KindAddUnit, jujusim.KindConfig:
		return // said by the step titles
	default:
		fmt.Fprintf(p.w, "  t=%-7s %-8s %s\n", at, ev.Kind, strings.TrimSpace(ev.Unit+" "+ev.Note))
		return
	}
	mark := " "
	if ev.Leader {
		mark = "*"
	}
	result := "ok"
	switch {
	case ev.Skipped != "":
		result = "skipped: " + ev.Skipped
	case ev.ExitCode != 0:
		result = fmt.Sprintf("FAILED (exit %d)", ev.ExitCode)
	}
	hook := ev.Hook
	if ev.Retry {
		hook += " (retry)"
	}
	fmt.Fprintf(p.w, "  t=%-7s %s%-11s %-26s %s\n", at, ev.Unit, mark, hook, result)
	if handlers := invoked(ev); len(handlers) > 0 {
		fmt.Fprintf(p.w, "             handlers: %s\n", strings.Join(handlers, ", "))
	}
	if set, cleared := ev.FlagChanges(); len(set)+len(cleared) > 0 {
		var parts []string
		for _, f := range set {
			parts = append(parts, "+"+short(f))
		}
		for _, f := range cleared {
			parts = append(parts, "-"+short(f))
		}
		fmt.Fprintf(p.w, "             flags:    %s\n", strings.Join(parts, " "))
	} else if ev.ExitCode != 0 && len(ev.FlagsBefore) > 0 {
		fmt.Fprintf(p.w, "             flags:    unchanged (the hook's transaction was rolled back)\n")
	}
	for _, c := range ev.CallsTo("leader-set") {
		fmt.Fprintf(p.w, "             juju:     leader-set %s%s\n", mask(strings.Join(c.Args, " ")), exitNote(c.ExitCode))
	}
	for _, c := range ev.CallsTo("status-set") {
		if c.ExitCode == 0 && p.c.calls {
			fmt.Fprintf(p.w, "             status:   %s\n", strings.Join(c.Args, " "))
		}
	}
	if p.c.calls {
		for _, c := range ev.Calls {
			fmt.Fprintf(p.w, "             call:     %s\n", mask(c.String()))
		}
	}
	if p.c.logs {
		for _, l := range ev.Logs {
			fmt.Fprintf(p.w, "             log:      %s %s\n", l.Level, mask(l.Message))
		}
	}
	if ev.ExitCode != 0 {
		if msg := failure(ev); msg != "" {
			fmt.Fprintf(p.w, "             error:    %s\n", msg)
		}
	}
	p.printFiles(ev.Unit)
}

// failure returns why a hook failed: the charm's ERROR log record, else
// the last line of its stderr.
func failure(ev *jujusim.Event) string {
	for _, l := range ev.Logs {
		if l.Level == "ERROR" {
			return strings.Join(strings.Fields(mask(l.Message)), " ")
		}
	}
	lines := strings.Split(strings.TrimSpace(ev.Stderr), "\n")
	return lines[len(lines)-1]
}

func exitNote(code int) string {
	if code == 0 {
		return ""
	}
	return fmt.Sprintf(" (exit %d)", code)
}

// printFiles prints the unit's charm files that changed since last shown.
func (p *printer) printFiles(unit string) {
	var u *jujusim.Unit
	for i := 0; p.m.Unit(i) != nil; i++ {
		if p.m.Unit(i).Name() == unit {
			u = p.m.Unit(i)
		}
	}
	if u == nil {
		return
	}
	for _, name := range []string{"admin_password", "motd"} {
		b, err := u.ReadFile(name)
		now := "(none)"
		if err == nil {
			now = string(b)
			if name == "admin_password" {
				now = maskValue(now)
			}
			now = fmt.Sprintf("%q", now)
		}
		key := unit + "/" + name
		prev, seen := p.files[key]
		if !seen && now == "(none)" || prev == now {
			p.files[key] = now
			continue
		}
		p.files[key] = now
		fmt.Fprintf(p.w, "             file:     %s = %s\n", name, now)
	}
}

// traceEnv switches on the reactive framework's trace in the charm
// (reactive.TraceEnv): its DEBUG records go to juju-log.
const traceEnv = "CHARMKIT_TRACE"

// invoked returns the handlers the reactive framework logged as invoked,
// each with why it was queued when the charm traced it: the flag change
// after which it was queued, or "start" when its conditions already held
// as dispatch began.
func invoked(ev *jujusim.Event) []string {
	why := map[string]string{}
	cause := ""
	var out []string
	for _, l := range ev.Logs {
		for _, line := range strings.Split(l.Message, "\n") {
			line = strings.TrimSpace(line)
			if i := strings.Index(line, "Invoking reactive handler: "); i >= 0 {
				h := strings.TrimSpace(line[i+len("Invoking reactive handler: "):])
				if w := why[h]; w != "" {
					h += "(" + w + ")"
				}
				out = append(out, h)
				continue
			}
			i := strings.Index(line, "tracer")
			if i < 0 {
				continue
			}
			t := strings.TrimLeft(line[i+len("tracer"):], ":> ")
			switch {
			case strings.HasPrefix(t, "set flag "):
				cause = "+" + short(strings.TrimPrefix(t, "set flag "))
			case strings.HasPrefix(t, "cleared flag "):
				cause = "-" + short(strings.TrimPrefix(t, "cleared flag "))
			case strings.HasPrefix(t, "starting handler dispatch"), strings.HasPrefix(t, "main dispatch loop"):
				cause = "start"
			case strings.HasPrefix(t, "hooks phase"):
				cause = "hook"
			case strings.HasPrefix(t, "++"):
				h := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(t, "++")), "queue handler"))
				why[h] = cause
			}
		}
	}
	return out
}

func short(flag string) string { return strings.Replace(flag, "leadership.", "L.", 1) }

// mask hides the password in a line ("admin_password=abcdef…").
func mask(s string) string {
	const key = "admin_password="
	i := strings.Index(s, key)
	if i < 0 {
		return s
	}
	rest := s[i+len(key):]
	end := strings.IndexAny(rest, " \n")
	if end < 0 {
		end = len(rest)
	}
	return s[:i+len(key)] + maskValue(rest[:end]) + rest[end:]
}

func maskValue(v string) string {
	if len(v) <= 6 {
		return v
	}
	return v[:6] + "…"
}

func (p *printer) summary(elapsed time.Duration) error {
	p.flush()
	m := p.m
	fmt.Fprintf(p.w, "\n== result\n")
	settings, err := m.LeaderSettings()
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var shown []string
	for _, k := range keys {
		v := settings[k]
		if k == "admin_password" {
			v = maskValue(v)
		}
		shown = append(shown, fmt.Sprintf("%s=%q", k, v))
	}
	fmt.Fprintf(p.w, "  leader:          %s\n", m.Leader().Name())
	fmt.Fprintf(p.w, "  leader settings: %s\n", strings.Join(shown, " "))
	var problems []string
	password := settings["admin_password"]
	if password == "" {
		problems = append(problems, "no admin_password in the leader settings")
	}
	for _, u := range m.Units() {
		b, err := u.ReadFile("admin_password")
		same := err == nil && string(b) == password
		if !same {
			problems = append(problems, u.Name()+"'s admin_password file differs from the leader setting")
		}
		fl, err := u.Flags()
		if err != nil {
			return err
		}
		var sf []string
		for _, f := range fl {
			sf = append(sf, short(f))
		}
		fmt.Fprintf(p.w, "  %-16s admin_password file matches: %v; flags: %s\n", u.Name()+":", same, strings.Join(sf, " "))
	}
	writes := 0
	for i := 0; m.Unit(i) != nil; i++ {
		calls, err := m.Unit(i).Calls()
		if err != nil {
			return err
		}
		for _, c := range calls {
			if c.Tool == "leader-set" && c.ExitCode == 0 && strings.Contains(strings.Join(c.Args, " "), "admin_password=") {
				writes++
			}
		}
	}
	fmt.Fprintf(p.w, "  passwords generated: %d\n", writes)
	if writes != 1 {
		problems = append(problems, fmt.Sprintf("admin_password was written %d times", writes))
	}
	leaseErr := m.CheckLeases()
	fmt.Fprintf(p.w, "  leadership guarantees overlapping: %v\n", leaseErr != nil)
	if leaseErr != nil {
		problems = append(problems, leaseErr.Error())
	}
	hooks := 0
	for _, ev := range m.Timeline() {
		if ev.Kind == jujusim.KindHook {
			hooks++
		}
	}
	fmt.Fprintf(p.w, "  %d hooks, simulated time %s, wall time %s\n", hooks,
		m.Now().Sub(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)), elapsed.Round(10*time.Millisecond))
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	fmt.Fprintln(p.w, "  OK")
	return nil
}
