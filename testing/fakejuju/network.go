package fakejuju

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/charmkit/charmkit/internal/jujucmd"
)

func init() {
	serve(map[string]toolFunc{
		"unit-get":    unitGet,
		"network-get": networkGet,
		"goal-state":  goalState,
	})
}

// The interface every unit's address is on, as network-get reports it.
const (
	FakeMACAddress    = "00:16:3e:00:00:01"
	FakeInterfaceName = "eth0"
)

func unitGet(t *invocation) error {
	p, err := t.parse("<setting>", jujucmd.FormatOptions("smart")...)
	if p == nil {
		return err
	}
	if len(p.Positional) == 0 {
		return jujucmd.Usagef("no setting specified")
	}
	setting := p.Positional[0]
	if setting != "private-address" && setting != "public-address" {
		return jujucmd.Usagef("unknown setting %q", setting)
	}
	if len(p.Positional) > 1 {
		return jujucmd.Unrecognized(p.Positional[1:])
	}
	// The fake's units have one address, private and public alike.
	if t.u.Address == "" {
		if setting == "private-address" {
			return errors.New("private address not found")
		}
		return errors.New("public address not found")
	}
	return t.emit(p, t.u.Address)
}

// networkInfo is network-get's answer for a binding, with Juju's field
// order and names: JSON and YAML differ, and the YAML keeps the older
// duplicate keys (macaddress, interfacename, address) Juju still prints.
type networkInfo struct {
	BindAddresses    []bindAddress `json:"bind-addresses,omitempty" yaml:"bind-addresses,omitempty"`
	EgressSubnets    []string      `json:"egress-subnets,omitempty" yaml:"egress-subnets,omitempty"`
	IngressAddresses []string      `json:"ingress-addresses,omitempty" yaml:"ingress-addresses,omitempty"`
}

type bindAddress struct {
	MACAddress     string             `json:"mac-address" yaml:"mac-address"`
	InterfaceName  string             `json:"interface-name" yaml:"interface-name"`
	Addresses      []interfaceAddress `json:"addresses" yaml:"addresses"`
	MACAddressX    string             `json:"-" yaml:"macaddress"`
	InterfaceNameX string             `json:"-" yaml:"interfacename"`
}

type interfaceAddress struct {
	Hostname string `json:"hostname" yaml:"hostname"`
	Value    string `json:"value" yaml:"value"`
	CIDR     string `json:"cidr" yaml:"cidr"`
	AddressX string `json:"-" yaml:"address"`
}

// unitNetwork returns the network of a unit with address addr: one
// interface holding the address, in a /24 (IPv4) or /64 (IPv6) subnet, with
// the address as ingress address and egress subnet. A host name (not an IP)
// is reported as both hostname and value, with no subnet.
func unitNetwork(addr string) networkInfo {
	ia := interfaceAddress{Value: addr, AddressX: addr}
	egress := []string{}
	if ip, err := netip.ParseAddr(addr); err == nil {
		bits := 24
		if ip.Is6() {
			bits = 64
		}
		ia.CIDR = netip.PrefixFrom(ip, bits).Masked().String()
		egress = append(egress, netip.PrefixFrom(ip, ip.BitLen()).String())
	} else {
		ia.Hostname = addr
	}
	return networkInfo{
		BindAddresses: []bindAddress{{
			MACAddress: FakeMACAddress, InterfaceName: FakeInterfaceName, Addresses: []interfaceAddress{ia},
			MACAddressX: FakeMACAddress, InterfaceNameX: FakeInterfaceName,
		}},
		EgressSubnets:    egress,
		IngressAddresses: []string{addr},
	}
}

func networkGet(t *invocation) error {
	flags := []string{"primary-address", "bind-address", "ingress-address", "egress-subnets"}
	opts := append(jujucmd.FormatOptions("smart"), optRelation)
	for _, f := range flags {
		opts = append(opts, jujucmd.Option{Name: f})
	}
	p, err := t.parse("<binding-name> [--ingress-address] [--bind-address] [--egress-subnets]", opts...)
	if p == nil {
		return err
	}
	if p.IsSet("relation") {
		if _, err := t.relation(p); err != nil {
			return err
		}
	}
	if len(p.Positional) == 0 {
		return jujucmd.Usagef("no arguments specified")
	}
	binding := p.Positional[0]
	if binding == "" {
		return jujucmd.Usagef("no binding name specified")
	}
	if len(p.Positional) > 1 {
		return jujucmd.Unrecognized(p.Positional[1:])
	}
	// A binding is one of the charm's endpoints. Juju reports a binding it
	// does not know, and a unit without an address, alike.
	if _, known := t.app.Endpoints[binding]; !known || t.u.Address == "" {
		return fmt.Errorf("no network config found for binding %q", binding)
	}
	ni := unitNetwork(t.u.Address)
	var keys []string
	for _, k := range flags[1:] {
		if p.Bool(k) {
			keys = append(keys, k)
		}
	}
	switch {
	case p.Bool("primary-address") && len(keys) > 0:
		return errors.New("--primary-address must be the only flag specified")
	case p.Bool("primary-address"):
		return t.emit(p, t.u.Address)
	case len(keys) == 0:
		return t.emit(p, ni)
	}
	values := map[string]any{
		"bind-address":    t.u.Address,
		"ingress-address": ni.IngressAddresses[0],
		"egress-subnets":  ni.EgressSubnets,
	}
	if len(keys) == 1 {
		return t.emit(p, values[keys[0]])
	}
	out := map[string]any{}
	for _, k := range keys {
		out[k] = values[k]
	}
	return t.emit(p, out)
}

// goalStatus is one entry of goal-state: status, then since (Juju's order).
type goalStatus struct {
	Status string `json:"status" yaml:"status"`
	Since  string `json:"since,omitempty" yaml:"since,omitempty"`
}

type goalStateOutput struct {
	Units     map[string]goalStatus            `json:"units" yaml:"units"`
	Relations map[string]map[string]goalStatus `json:"relations" yaml:"relations"`
}

// goalSince formats a goal-state time as Juju does ("2006-01-02
// 15:04:05Z", UTC); a zero time is left out.
func goalSince(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// goalUnits returns the goal state of app's units: their workload status.
func (m *Model) goalUnits(app string) map[string]goalStatus {
	out := map[string]goalStatus{}
	for _, name := range m.AppUnits(app) {
		u := m.Units[name]
		out[name] = goalStatus{Status: u.Status.StateOrUnknown(), Since: goalSince(u.StatusSince)}
	}
	return out
}

// goalState prints the unit's application's units and, keyed by the local
// endpoint, each counterpart application (with the relation's status) and
// its units (with their workload status). Peer relations are left out.
func goalState(t *invocation) error {
	p, err := t.parse("[options]", jujucmd.FormatOptions("yaml", "yaml", "json")...)
	if p == nil {
		return err
	}
	if len(p.Positional) > 0 {
		return jujucmd.Unrecognized(p.Positional)
	}
	out := goalStateOutput{Units: t.m.goalUnits(t.app.Name), Relations: map[string]map[string]goalStatus{}}
	for _, r := range t.m.Relations {
		local, in := r.Local(t.app.Name)
		if !in || r.Peer() {
			continue
		}
		remote := r.Remote(t.app.Name)
		entry := out.Relations[local.Endpoint]
		if entry == nil {
			entry = map[string]goalStatus{}
			out.Relations[local.Endpoint] = entry
		}
		state := r.Status
		if state == "" {
			state = "joined"
		}
		entry[remote] = goalStatus{Status: state, Since: goalSince(r.Since)}
		for name, gs := range t.m.goalUnits(remote) {
			entry[name] = gs
		}
	}
	return t.emit(p, out)
}
