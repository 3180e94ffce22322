// Command jujusim-demo builds the password charm (examples/password-charm)
// and its client (examples/password-client) and runs them on simulated
// units with jujusim, printing a readable timeline: every hook with its
// unit, whether the unit led, the remote unit of a relation hook, the
// handlers that ran, the flags that changed, what the leader wrote to the
// leader settings, its Juju secret and its application's relation bag, and
// the files the charms wrote. The story: deploy three password units (the
// leader keeps the password in a Juju secret); set a config option the
// leader publishes; remove the leader and elect another unit; delete a
// leader setting; make the leader's hook fail and retry it; deploy two
// client units and relate them (the leader gives them the password);
// remove the relation (the clients remove their file); rotate the password
// with the rotate-password action on the leader (a new revision of the
// secret; every unit follows; the leader removes the old revision). It ends
// with checks (the password in one secret, the same on every unit, changed
// once by the rotation; every client had it, then none; no two units ever
// held a leadership guarantee at once; no live password outside the
// secret) and exits 1 if one fails. Passwords are shown as a fingerprint,
// the first 8 hexadecimal digits of their SHA-256, never in clear.
//
// Run it from the repository root:
//
//	go run ./testing/jujusim/cmd/jujusim-demo
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
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
	client   string // the client charm's source directory
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
	fs.StringVar(&c.client, "client", filepath.Join("examples", "password-client"), "the password-client charm's source directory")
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
	charmDir, dispatch, err := prepare(c.charm, c.dispatch, filepath.Join(tmp, "password"))
	if err != nil {
		return err
	}
	clientDir, clientDispatch, err := prepare(c.client, "", filepath.Join(tmp, "client"))
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

	fmt.Fprintf(w, "charmkit demo: the password charm on %d simulated units, then its client on 2 (jujusim)\n", c.units)
	fmt.Fprintln(w, "legend: * = the unit held leadership when the hook started; L. = leadership.; +flag set, -flag cleared;")
	fmt.Fprintln(w, "        handler(why): the flag change that queued it, or \"start\" when its conditions held as dispatch began;")
	fmt.Fprintln(w, "        hook (unit): the remote unit of a relation hook, (app X): application X's bag changed")

	p.step("deploy: install, leader-elected on the leader / leader-settings-changed on the others, config-changed, start")
	if err := p.deploy(); err != nil {
		return err
	}
	p.flush()

	p.step("juju config password motd=hello: the leader publishes motd, the others follow")
	if err := m.SetConfig(map[string]string{"motd": "hello"}); err != nil {
		return err
	}
	if err := p.settle(); err != nil {
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
	if err := p.settle(); err != nil {
		return err
	}
	p.flush()

	p.step("juju config password motd=: the new leader deletes the motd setting; it disappears everywhere")
	if err := m.SetConfig(map[string]string{"motd": ""}); err != nil {
		return err
	}
	if err := p.settle(); err != nil {
		return err
	}
	p.flush()

	leader := m.Leader()
	p.step(fmt.Sprintf("juju config password fail-on-unit=%s: the leader's hook fails after a leader-set (kept by Juju), its store is rolled back", leader.Name()))
	if err := m.SetConfig(map[string]string{"fail-on-unit": leader.Name()}); err != nil {
		return err
	}
	if err := p.settle(); err != nil && !errors.Is(err, jujusim.ErrHookFailed) {
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
		p.flush()
	}
	if err := p.settle(); err != nil {
		return err
	}
	p.flush()

	p.step("juju deploy password-client -n 2; juju integrate password-client password: the leader gives the password to the client application, every client unit writes it")
	client, err := m.AddApplication(jujusim.AppOptions{Charm: clientDir, Dispatch: clientDispatch, Units: 2})
	if err != nil {
		return err
	}
	if err := p.deploy(); err != nil {
		return err
	}
	rel, err := m.Relate("password-client", "password")
	if err != nil {
		return err
	}
	if err := p.settle(); err != nil {
		return err
	}
	p.flush()
	p.checkClients(client, true)

	p.step("juju remove-relation password-client password: every client unit removes its file")
	if err := m.RemoveRelation(rel); err != nil {
		return err
	}
	if err := p.settle(); err != nil {
		return err
	}
	p.flush()
	p.checkClients(client, false)

	leader = m.Leader()
	p.step(fmt.Sprintf("juju run %s rotate-password: the leader sets a new password, a new revision of its secret; every unit writes it; the leader removes the old revision", leader.Name()))
	before, err := p.rotation()
	if err != nil {
		return err
	}
	if _, err := leader.RunAction("rotate-password", nil); err != nil {
		return err
	}
	p.flush()
	if err := p.settle(); err != nil {
		return err
	}
	p.flush()
	if err := p.checkRotation(before); err != nil {
		return err
	}

	return p.summary(time.Since(start))
}

// passwordSecretLabel is the label of the secret in which the password
// charm's leadership layer keeps admin_password.
const passwordSecretLabel = "leadership-admin"

// passwordSecret returns the password charm's secret and the password (its
// latest revision's admin_password), or an error when there is no such
// secret.
func (p *printer) passwordSecret() (jujusim.Secret, string, error) {
	secrets, err := p.m.Secrets()
	if err != nil {
		return jujusim.Secret{}, "", err
	}
	for _, s := range secrets {
		if s.Label != passwordSecretLabel || s.Owner != p.m.App() {
			continue
		}
		latest := s.Latest()
		if latest == nil {
			return s, "", fmt.Errorf("secret %s has no revision", s.ID)
		}
		values, err := latest.Values()
		if err != nil {
			return s, "", err
		}
		return s, values["admin-password"], nil
	}
	return jujusim.Secret{}, "", fmt.Errorf("no secret labelled %s owned by %s", passwordSecretLabel, p.m.App())
}

// passwordState is what a rotation changes: each password unit's file and
// the secret's latest revision.
type passwordState struct {
	files    map[string]string // unit -> admin_password file
	password string            // the secret's latest value
	revision int               // the secret's latest revision
}

// rotation returns the password state before a rotation.
func (p *printer) rotation() (passwordState, error) {
	st := passwordState{files: map[string]string{}}
	s, pw, err := p.passwordSecret()
	if err != nil {
		return st, err
	}
	st.password, st.revision = pw, s.LatestRevision
	for _, u := range p.m.Application(p.m.App()).Units() {
		b, err := u.ReadFile("admin_password")
		if err != nil {
			return st, err
		}
		st.files[u.Name()] = string(b)
	}
	return st, nil
}

// checkRotation prints how the rotation changed every unit's file and the
// secret, and records a problem unless every file changed to the same new
// value, the secret's new latest revision, and the old revision is gone.
// From now on the old password counts as a secret for CheckInvariants
// (KeepSecret): it must be nowhere.
func (p *printer) checkRotation(before passwordState) error {
	after, err := p.rotation()
	if err != nil {
		return err
	}
	fmt.Fprintln(p.w, "  after the rotation:")
	same := after.revision == before.revision+1 && after.password != before.password
	for _, name := range slices.Sorted(maps.Keys(after.files)) {
		old, now := before.files[name], after.files[name]
		fmt.Fprintf(p.w, "    %-16s admin_password %s -> %s\n", name+":", maskValue(old), maskValue(now))
		same = same && old == before.password && now == after.password
	}
	fmt.Fprintf(p.w, "    every unit's file changed to the same new value, the secret's latest (revision %d): %v\n", after.revision, same)
	if !same {
		p.problems = append(p.problems, "the rotation did not give every unit the secret's new password")
	}
	s, _, err := p.passwordSecret()
	if err != nil {
		return err
	}
	gone := true
	for _, r := range s.Revisions {
		gone = gone && r.Revision != before.revision
	}
	fmt.Fprintf(p.w, "    old revision %d removed (secret-remove by the leader): %v\n", before.revision, gone)
	if !gone {
		p.problems = append(p.problems, fmt.Sprintf("revision %d of the password's secret is still stored", before.revision))
	}
	p.rotations++
	return p.m.KeepSecret(before.password)
}

// deploy runs the first hooks of the units not installed yet, as
// Model.Deploy does, printing each hook as it ends.
func (p *printer) deploy() error {
	var failed []*jujusim.Event
	for _, u := range p.m.Units() {
		if u.Installed() {
			continue
		}
		for {
			ev, ok, err := u.Next()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			p.flush()
			if ev.Failed() {
				failed = append(failed, ev)
				break
			}
		}
	}
	if err := p.settle(); err != nil {
		return err
	}
	if len(failed) > 0 {
		return &jujusim.HookError{Failed: failed}
	}
	return nil
}

// settle runs queued hooks as Model.Settle does (in rounds, units in name
// order, one hook each), printing each hook as it ends, so that the files
// shown with a hook are those it left.
func (p *printer) settle() error {
	var failed []*jujusim.Event
	for hooks := 0; ; {
		ran := false
		units := p.m.Units()
		slices.SortFunc(units, func(a, b *jujusim.Unit) int { return strings.Compare(a.Name(), b.Name()) })
		for _, u := range units {
			ev, ok, err := u.Next()
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			ran = true
			p.flush()
			if ev.Failed() {
				failed = append(failed, ev)
			}
			if hooks++; hooks >= 1000 {
				return fmt.Errorf("%w after %d hooks", jujusim.ErrNotSettled, hooks)
			}
		}
		if !ran {
			break
		}
	}
	if len(failed) > 0 {
		return &jujusim.HookError{Failed: failed}
	}
	return nil
}

// clientFile is the file the client charm writes (its password-file
// option's default).
const clientFile = "server_password"

// checkClients records a problem unless every client unit's file holds the
// password (has), or no unit has the file (!has).
func (p *printer) checkClients(client *jujusim.Application, has bool) {
	_, password, err := p.passwordSecret()
	if err != nil {
		p.problems = append(p.problems, err.Error())
		return
	}
	for _, u := range client.Units() {
		b, err := u.ReadFile(clientFile)
		switch {
		case has && (err != nil || string(b) != password):
			p.problems = append(p.problems, u.Name()+"'s "+clientFile+" file does not hold the password")
		case !has && err == nil:
			p.problems = append(p.problems, u.Name()+"'s "+clientFile+" file is still there")
		}
	}
}

// prepare assembles a charm directory under dir (metadata.yaml and
// config.yaml of the charm source src) and builds the charm binary unless
// dispatch names one.
func prepare(src, dispatch, dir string) (charmDir, binary string, err error) {
	charmDir = filepath.Join(dir, "charm")
	if err := os.MkdirAll(charmDir, 0o755); err != nil {
		return "", "", err
	}
	for _, f := range []string{"metadata.yaml", "config.yaml", "actions.yaml"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if errors.Is(err, os.ErrNotExist) && f == "actions.yaml" {
			continue
		}
		if err != nil {
			return "", "", fmt.Errorf("reading the charm: %w (run from the repository root, or pass -charm and -client)", err)
		}
		if err := os.WriteFile(filepath.Join(charmDir, f), b, 0o644); err != nil {
			return "", "", err
		}
	}
	if dispatch != "" {
		return charmDir, dispatch, nil
	}
	binary = filepath.Join(dir, "dispatch")
	abs, err := filepath.Abs(src)
	if err != nil {
		return "", "", err
	}
	cmd := exec.Command("go", "build", "-o", binary, ".")
	cmd.Dir = abs
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("building the charm %s: %w\n%s", src, err, out)
	}
	return charmDir, binary, nil
}

// printer prints the timeline events recorded since the last flush.
type printer struct {
	w         io.Writer
	m         *jujusim.Model
	c         config
	next      int               // timeline events already printed
	files     map[string]string // unit/file -> last printed content
	steps     int
	rotations int      // rotate-password actions run
	problems  []string // failed checks of the steps
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
	case jujusim.KindHook, jujusim.KindAction:
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
	switch {
	case ev.Kind == jujusim.KindAction:
		hook = "action " + hook
	case ev.RemoteUnit != "":
		hook += " (" + ev.RemoteUnit + ")"
	case ev.Relation != "" && strings.HasSuffix(ev.Hook, "-relation-changed"):
		hook += " (app " + ev.RemoteApp + ")"
	}
	if ev.Retry {
		hook += " (retry)"
	}
	fmt.Fprintf(p.w, "  t=%-7s %-18s %-46s %s\n", at, ev.Unit+mark, hook, result)
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
	if a := ev.Action; a != nil {
		var res []string
		for _, k := range slices.Sorted(maps.Keys(a.Results)) {
			res = append(res, fmt.Sprintf("%s=%v", k, a.Results[k]))
		}
		if a.Failed {
			res = append(res, "FAILED: "+a.Message)
		}
		fmt.Fprintf(p.w, "             action:   %s\n", strings.Join(res, " "))
	}
	for _, c := range ev.Calls {
		switch c.Tool {
		case "secret-add", "secret-set", "secret-remove":
			fmt.Fprintf(p.w, "             juju:     %s %s%s\n", c.Tool, secretArgs(c.Args), exitNote(c.ExitCode))
		}
	}
	for _, c := range ev.CallsTo("leader-set") {
		fmt.Fprintf(p.w, "             juju:     leader-set %s%s\n", mask(strings.Join(c.Args, " ")), exitNote(c.ExitCode))
	}
	for _, c := range ev.CallsTo("relation-set") {
		if slices.Contains(c.Args, "--app") {
			fmt.Fprintf(p.w, "             juju:     relation-set --app %s%s\n", published(c), exitNote(c.ExitCode))
		}
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

// published renders a relation-set call as "-r <relation> key=value ...",
// the keys sorted and the password masked.
func published(c jujusim.ToolCall) string {
	rel := ""
	if i := slices.Index(c.Args, "-r"); i >= 0 && i+1 < len(c.Args) {
		rel = c.Args[i+1]
	}
	var bag map[string]string
	if err := json.Unmarshal([]byte(c.Stdin), &bag); err != nil {
		return "-r " + rel + " " + strings.TrimSpace(c.Stdin)
	}
	keys := slices.Sorted(maps.Keys(bag))
	parts := []string{"-r " + rel}
	for _, k := range keys {
		v := bag[k]
		if k == "password" {
			v = maskValue(v)
		}
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, " ")
}

// secretArgs renders a secret tool's arguments, each key#file=<path>
// (the content comes from a private temporary file) as key#file=….
func secretArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if k, _, ok := strings.Cut(a, "#file="); ok {
			a = k + "#file=…"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
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
	for _, a := range p.m.Applications() {
		for i := 0; a.Unit(i) != nil; i++ {
			if a.Unit(i).Name() == unit {
				u = a.Unit(i)
			}
		}
	}
	if u == nil {
		return
	}
	for _, name := range []string{"admin_password", "motd", clientFile} {
		b, err := u.ReadFile(name)
		now := "(none)"
		if err == nil {
			now = string(b)
			if name != "motd" {
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

// mask hides the password in a line ("admin_password=sha256:1a2b3c4d").
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

// maskValue shows a secret value as its fingerprint: "sha256:" and the
// first 8 hexadecimal digits of its SHA-256.
func maskValue(v string) string {
	sum := sha256.Sum256([]byte(v))
	return "sha256:" + hex.EncodeToString(sum[:4])
}

func (p *printer) summary(elapsed time.Duration) error {
	p.flush()
	m := p.m
	fmt.Fprintf(p.w, "\n== result\n")
	settings, err := m.LeaderSettings()
	if err != nil {
		return err
	}
	var shown []string
	for _, k := range slices.Sorted(maps.Keys(settings)) {
		v := settings[k]
		if k == "admin_password" {
			v = maskValue(v)
		}
		shown = append(shown, fmt.Sprintf("%s=%q", k, v))
	}
	fmt.Fprintf(p.w, "  leader:          %s\n", m.Leader().Name())
	fmt.Fprintf(p.w, "  leader settings: %s\n", strings.Join(shown, " "))
	problems := p.problems
	if _, ok := settings["admin_password"]; ok {
		problems = append(problems, "admin_password is in plain leader settings")
	}
	secret, password, err := p.passwordSecret()
	if err != nil {
		return err
	}
	var revs []string
	for _, r := range secret.Revisions {
		revs = append(revs, fmt.Sprint(r.Revision))
	}
	fmt.Fprintf(p.w, "  secret:          %s (secret:%s, owned by %s): revisions stored: %s; admin_password = %s\n",
		secret.Label, secret.ID, secret.Owner, strings.Join(revs, " "), maskValue(password))
	if len(secret.Revisions) != 1 {
		problems = append(problems, "the password's secret keeps revisions "+strings.Join(revs, " ")+": obsolete ones were not removed")
	}
	for _, u := range m.Application(m.App()).Units() {
		b, err := u.ReadFile("admin_password")
		same := err == nil && string(b) == password
		if !same {
			problems = append(problems, u.Name()+"'s admin_password file differs from the secret")
		}
		fl, err := u.Flags()
		if err != nil {
			return err
		}
		var sf []string
		for _, f := range fl {
			sf = append(sf, short(f))
		}
		fmt.Fprintf(p.w, "  %-16s admin_password file matches the secret: %v; flags: %s\n", u.Name()+":", same, strings.Join(sf, " "))
	}
	// Each committed password is a revision of the secret: one generated
	// at the deploy, one per rotation.
	fmt.Fprintf(p.w, "  passwords generated: %d, rotated: %d (revisions of the secret: %d)\n", secret.LatestRevision-p.rotations, p.rotations, secret.LatestRevision)
	if secret.LatestRevision != 1+p.rotations {
		problems = append(problems, fmt.Sprintf("the password's secret has %d revisions, want 1 and one per rotation (%d)", secret.LatestRevision, p.rotations))
	}
	if client := m.Application("password-client"); client != nil {
		for _, u := range client.Units() {
			_, err := u.ReadFile(clientFile)
			fl, ferr := u.Flags()
			if ferr != nil {
				return ferr
			}
			fmt.Fprintf(p.w, "  %-16s %s file: %v; flags: %s\n", u.Name()+":", clientFile, err == nil, strings.Join(fl, " "))
		}
	}
	publications := 0
	for _, ev := range m.Timeline() {
		for _, c := range ev.CallsTo("relation-set") {
			if c.ExitCode == 0 && slices.Contains(c.Args, "--app") && strings.HasPrefix(ev.Unit, m.App()+"/") {
				publications++
			}
		}
	}
	fmt.Fprintf(p.w, "  credentials published (relation-set --app): %d\n", publications)
	leaseErr := m.CheckLeases()
	fmt.Fprintf(p.w, "  leadership guarantees overlapping: %v\n", leaseErr != nil)
	if leaseErr != nil {
		problems = append(problems, leaseErr.Error())
	}
	if err := m.CheckInvariants(); err != nil {
		problems = append(problems, err.Error())
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
