package fakejuju

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/charmkit/charmkit/internal/jujucmd"
)

func init() {
	serve(map[string]toolFunc{
		"open-port":    openPort,
		"close-port":   closePort,
		"opened-ports": openedPorts,
	})
}

// portRange is a port, a range of ports or icmp, as Juju's core/network
// PortRange: icmp has From and To -1.
type portRange struct {
	From, To int
	Protocol string
}

// String formats the range as Juju does: "80/tcp", "8000-8100/udp", "icmp".
func (p portRange) String() string {
	if p.Protocol == "icmp" {
		return "icmp"
	}
	if p.From == p.To {
		return fmt.Sprintf("%d/%s", p.From, p.Protocol)
	}
	return fmt.Sprintf("%d-%d/%s", p.From, p.To, p.Protocol)
}

// conflicts reports whether two ranges of one protocol overlap.
func (p portRange) conflicts(o portRange) bool {
	return p.Protocol == o.Protocol && p.To >= o.From && o.To >= p.From
}

// parsePortRange parses "<port>[/<protocol>]", "<from>-<to>[/<protocol>]" or
// "icmp" (the protocol defaults to tcp) and validates it, with Juju's error
// messages. Juju accepts port 0.
func parsePortRange(s string) (portRange, error) {
	ports, proto, hasProto := strings.Cut(s, "/")
	if !hasProto {
		proto = "tcp"
	}
	var p portRange
	parts := strings.Split(ports, "-")
	switch {
	case len(parts) > 2:
		return p, fmt.Errorf("invalid port range %q", ports)
	case len(parts) == 1 && parts[0] == "icmp":
		p.From, p.To = -1, -1
	case len(parts) == 1:
		n, err := strconv.Atoi(parts[0])
		if err != nil {
			return p, fmt.Errorf("invalid port %q: %w", ports, err)
		}
		p.From, p.To = n, n
	default:
		var err error
		if p.From, err = strconv.Atoi(parts[0]); err != nil {
			return p, fmt.Errorf("invalid port %q: %w", parts[0], err)
		}
		if p.To, err = strconv.Atoi(parts[1]); err != nil {
			return p, fmt.Errorf("invalid port %q: %w", parts[1], err)
		}
	}
	if p.From == -1 {
		proto = "icmp"
	}
	p.Protocol = proto
	switch {
	case proto != "tcp" && proto != "udp" && proto != "icmp":
		return p, fmt.Errorf(`invalid protocol %q, expected "tcp", "udp", or "icmp"`, proto)
	case proto == "icmp" && (p.From != -1 || p.To != -1):
		return p, fmt.Errorf(`protocol "icmp" doesn't support any ports; got "%v"`, p.From)
	case proto == "icmp":
	case p.From > p.To:
		return p, fmt.Errorf("invalid port range %s", p)
	case p.From < 0 || p.From > 65535 || p.To < 0 || p.To > 65535:
		return p, fmt.Errorf("port range bounds must be between 0 and 65535, got %d-%d", p.From, p.To)
	}
	return p, nil
}

// mustPortRange parses a range stored in the model, which open-port checked.
func mustPortRange(s string) portRange {
	p, err := parsePortRange(s)
	if err != nil {
		panic("fakejuju: bad port range in the model: " + err.Error())
	}
	return p
}

// sortPorts sorts port ranges for opened-ports and the model: as strings,
// the order the recorded Juju output shows ("80/tcp", "8000-8100/udp",
// "icmp"). Juju's own sort (core/network SortPortRanges) orders by protocol,
// then by port, which would put icmp first; the recorded order was inferred,
// so one of the two is to be corrected once Juju's output is observed.
func sortPorts(ports []string) { slices.Sort(ports) }

// PortGroups returns the ports the unit has opened, by endpoint: "" holds
// those opened for every endpoint ([Unit.Ports]), other keys those opened
// for one endpoint ([Unit.EndpointPorts]). The result is a copy.
func (u *Unit) PortGroups() map[string][]string {
	g := map[string][]string{}
	if len(u.Ports) > 0 {
		g[""] = slices.Clone(u.Ports)
	}
	for ep, ports := range u.EndpointPorts {
		if len(ports) > 0 {
			g[ep] = slices.Clone(ports)
		}
	}
	return g
}

// setPortGroups stores groups as returned by PortGroups, sorted.
func (u *Unit) setPortGroups(g map[string][]string) {
	u.Ports, u.EndpointPorts = nil, nil
	for ep, ports := range g {
		if len(ports) == 0 {
			continue
		}
		ports = slices.Clone(ports)
		sortPorts(ports)
		if ep == "" {
			u.Ports = ports
			continue
		}
		if u.EndpointPorts == nil {
			u.EndpointPorts = map[string][]string{}
		}
		u.EndpointPorts[ep] = ports
	}
}

// applyPortChanges applies open and close requests to port groups: an open
// adds its range to its endpoint's group unless there, a close removes it.
func applyPortChanges(g map[string][]string, changes []PortChange) {
	for _, pc := range changes {
		has := slices.Contains(g[pc.Endpoint], pc.Port)
		switch {
		case pc.Open && !has:
			g[pc.Endpoint] = append(g[pc.Endpoint], pc.Port)
		case !pc.Open && has:
			g[pc.Endpoint] = slices.DeleteFunc(g[pc.Endpoint], func(s string) bool { return s == pc.Port })
			if len(g[pc.Endpoint]) == 0 {
				delete(g, pc.Endpoint)
			}
		}
	}
}

// errPortRecorded means the request is already recorded: a no-op.
var errPortRecorded = errors.New("already recorded")

// checkPortConflict checks a request for range x on endpoint ep against the
// unit's ranges in groups (pending requests when pending is true, open ports
// otherwise), as Juju's unit agent does: the same range on the same endpoint
// is errPortRecorded, the same range on another endpoint is fine, and any
// other overlap is a conflict.
func checkPortConflict(unit, ep string, x portRange, groups map[string][]string, pending bool) error {
	for _, e := range slices.Sorted(maps.Keys(groups)) {
		for _, s := range groups[e] {
			y := mustPortRange(s)
			if !x.conflicts(y) {
				continue
			}
			if x == y {
				if e != ep {
					continue
				}
				return errPortRecorded
			}
			suffix := ""
			if pending {
				suffix = " requested earlier"
			}
			return fmt.Errorf("port range conflicts with %v (unit %q)%s", y, unit, suffix)
		}
	}
	return nil
}

// pendingPortGroups returns the context's pending opens (open true) or
// closes, by endpoint.
func (c *Context) pendingPortGroups(open bool) map[string][]string {
	g := map[string][]string{}
	for _, pc := range c.PendingPorts {
		if pc.Open == open {
			g[pc.Endpoint] = append(g[pc.Endpoint], pc.Port)
		}
	}
	return g
}

// cancelPending drops a pending request (open or close) for x on ep.
func (c *Context) cancelPending(open bool, ep string, x portRange) {
	c.PendingPorts = slices.DeleteFunc(c.PendingPorts, func(pc PortChange) bool {
		return pc.Open == open && pc.Endpoint == ep && pc.Port == x.String()
	})
}

// requestPort records an open-port (open true) or close-port request for x
// on endpoint ep ("" for every endpoint), as Juju's unit agent records it:
// a request cancels the opposite pending request for the same range and
// endpoint, a repeated request is a no-op, a range overlapping another one
// requested earlier or open (other than the same range) is refused, and a
// close while the unit has no port open is a no-op.
func (t *invocation) requestPort(open bool, ep string, x portRange) error {
	verb := "close"
	if open {
		verb = "open"
	}
	t.c.cancelPending(!open, ep, x)
	annotate := func(err error) error {
		return fmt.Errorf("cannot %s %v (unit %q): %w", verb, x, t.u.Name, err)
	}
	if err := checkPortConflict(t.u.Name, ep, x, t.c.pendingPortGroups(open), true); err != nil {
		if errors.Is(err, errPortRecorded) {
			return nil
		}
		return annotate(err)
	}
	opened := t.u.PortGroups()
	if err := checkPortConflict(t.u.Name, ep, x, opened, false); err != nil {
		if !errors.Is(err, errPortRecorded) {
			return annotate(err)
		}
		if open {
			return nil // already open
		}
	}
	if !open && len(opened) == 0 {
		return nil
	}
	t.c.PendingPorts = append(t.c.PendingPorts, PortChange{Open: open, Port: x.String(), Endpoint: ep})
	return nil
}

// portCommand is open-port (open true) or close-port: the request is queued
// and committed when the context closes after a success.
func portCommand(open bool) toolFunc {
	return func(t *invocation) error {
		p, err := t.parse("<port>[/<protocol>] or <from>-<to>[/<protocol>] or icmp",
			jujucmd.Option{Name: "format", Value: true}, jujucmd.Option{Name: "endpoints", Value: true})
		if p == nil {
			return err
		}
		if len(p.Positional) == 0 {
			return jujucmd.Usagef("no port or range specified")
		}
		x, err := parsePortRange(strings.ToLower(p.Positional[0]))
		if err != nil {
			return jujucmd.Usagef("%w", err)
		}
		if len(p.Positional) > 1 {
			return jujucmd.Unrecognized(p.Positional[1:])
		}
		if p.Value("format") != "" {
			fmt.Fprintf(&t.errb, "--format flag deprecated for command %q", t.tool)
		}
		endpoints := []string{""} // every endpoint
		if e := p.Value("endpoints"); e != "" {
			endpoints = strings.Split(e, ",")
		}
		for _, ep := range endpoints {
			if err := t.requestPort(open, strings.TrimSpace(ep), x); err != nil {
				return err
			}
		}
		return nil
	}
}

var (
	openPort  = portCommand(true)
	closePort = portCommand(false)
)

// openedPorts lists the unit's open ports with this context's pending
// requests applied: Juju 3's unit agent merges its pending open-port and
// close-port requests into what opened-ports reports, although they reach
// the controller only when the hook succeeds.
func openedPorts(t *invocation) error {
	p, err := t.parse("[options]", append(jujucmd.FormatOptions("smart"), jujucmd.Option{Name: "endpoints"})...)
	if p == nil {
		return err
	}
	if len(p.Positional) > 0 {
		return jujucmd.Unrecognized(p.Positional)
	}
	g := t.u.PortGroups()
	applyPortChanges(g, t.c.PendingPorts)
	byPort := map[string][]string{}
	for ep, ports := range g {
		for _, port := range ports {
			byPort[port] = append(byPort[port], ep)
		}
	}
	out := slices.Collect(maps.Keys(byPort))
	sortPorts(out)
	if p.Bool("endpoints") {
		for i, port := range out {
			eps := byPort[port]
			desc := "*" // opened for every endpoint
			if !slices.Contains(eps, "") {
				slices.Sort(eps)
				desc = strings.Join(eps, ", ")
			}
			out[i] = fmt.Sprintf("%s (%s)", port, desc)
		}
	}
	if out == nil {
		out = []string{}
	}
	return t.emit(p, out)
}

// NormalizePort returns a port range as the model keeps it ("80/tcp",
// "8000-8100/udp", "icmp"), from any form open-port accepts.
func NormalizePort(s string) (string, error) {
	r, err := parsePortRange(strings.ToLower(s))
	if err != nil {
		return "", err
	}
	return r.String(), nil
}

// SortPorts sorts port ranges in the order opened-ports prints them.
func SortPorts(ports []string) { sortPorts(ports) }
