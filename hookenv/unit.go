package hookenv

import (
	"context"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// UnitGet returns "private-address" or "public-address" of this unit
// (`unit-get --format=json <setting>`).
func (t *Tools) UnitGet(ctx context.Context, setting string) (string, error) {
	if setting != "private-address" && setting != "public-address" {
		return "", invalidf("unit-get", "unknown setting %q, expected private-address or public-address", setting)
	}
	out, err := t.run(ctx, "unit-get", []string{"--format=json", setting}, nil)
	if err != nil {
		return "", err
	}
	s, ok, err := decodeOptionalString("unit-get", out)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", badOutputf("unit-get", "null %s", setting)
	}
	return s, nil
}

// NetworkInfo is network-get's answer for one binding.
type NetworkInfo struct {
	BindAddresses    []BindAddress `json:"bind-addresses"`
	EgressSubnets    []string      `json:"egress-subnets"`
	IngressAddresses []string      `json:"ingress-addresses"`
}

// BindAddress is one interface of a binding.
type BindAddress struct {
	MACAddress    string    `json:"mac-address"`
	InterfaceName string    `json:"interface-name"`
	Addresses     []Address `json:"addresses"`
}

// Address is one address of an interface.
type Address struct {
	Hostname string `json:"hostname"`
	Value    string `json:"value"`
	CIDR     string `json:"cidr"`
}

// NetworkGet returns the network configuration of an endpoint binding
// (`network-get --format=json [-r id] <binding>`). relID may be empty.
func (t *Tools) NetworkGet(ctx context.Context, binding, relID string) (NetworkInfo, error) {
	if err := checkEndpoint("network-get", binding); err != nil {
		return NetworkInfo{}, err
	}
	r, err := relArgs("network-get", relID)
	if err != nil {
		return NetworkInfo{}, err
	}
	args := append(append([]string{"--format=json"}, r...), binding)
	var n NetworkInfo
	err = t.runJSON(ctx, "network-get", args, &n)
	return n, err
}

// GoalStatus is the goal state of one unit or relation member.
type GoalStatus struct {
	Status string `json:"status"` // e.g. "active", "waiting", "joined", "dying"
	Since  string `json:"since"`  // Juju's timestamp text, e.g. "2024-01-02 03:04:05Z"
}

// GoalState is goal-state's answer: the application's units and, per endpoint, the
// related applications and units.
type GoalState struct {
	Units     map[string]GoalStatus            `json:"units"`
	Relations map[string]map[string]GoalStatus `json:"relations"`
}

// GoalState returns the application's goal state (`goal-state --format=json`).
func (t *Tools) GoalState(ctx context.Context) (GoalState, error) {
	var g GoalState
	if err := t.runJSON(ctx, "goal-state", []string{"--format=json"}, &g); err != nil {
		return GoalState{}, err
	}
	if g.Units == nil {
		g.Units = map[string]GoalStatus{}
	}
	if g.Relations == nil {
		g.Relations = map[string]map[string]GoalStatus{}
	}
	return g, nil
}

// StateGet returns this unit's server-side state (`state-get --format=json -`).
func (t *Tools) StateGet(ctx context.Context) (map[string]string, error) {
	out, err := t.run(ctx, "state-get", []string{"--format=json", "-"}, nil)
	if err != nil {
		return nil, err
	}
	return decodeStringMap("state-get", out)
}

// StateGetKey returns one server-side state value and whether it is set
// (`state-get --format=json <key>`).
func (t *Tools) StateGetKey(ctx context.Context, key string) (string, bool, error) {
	if err := checkFreeKey("state-get", key); err != nil {
		return "", false, err
	}
	out, err := t.run(ctx, "state-get", []string{"--format=json", key}, nil)
	if err != nil {
		return "", false, err
	}
	return decodeOptionalString("state-get", out)
}

// Limits of Juju's server-side unit state (core/quota).
const (
	maxStateKey   = 256
	maxStateValue = 64 * 1024
)

// StateSet stores server-side state with `state-set --file -` and the values as JSON
// on stdin, so values are kept byte for byte (key=value arguments would be trimmed).
// An empty value stores "" (it does not delete; use [Tools.StateDelete]). Keys over
// 256 bytes and values over 64 KiB are rejected before the call. Juju applies the
// change only if the hook succeeds.
func (t *Tools) StateSet(ctx context.Context, values map[string]string) error {
	if len(values) == 0 {
		return nil
	}
	for k, v := range values {
		if err := checkSettingKey(k); err != nil {
			return invalidWrap("state-set", err)
		}
		if len(k) > maxStateKey {
			return invalidf("state-set", "key %q is %d bytes, over Juju's %d-byte limit", k[:32]+"...", len(k), maxStateKey)
		}
		if !utf8.ValidString(v) {
			return invalidf("state-set", "value of %q is not valid UTF-8", k)
		}
		if len(v) > maxStateValue {
			return invalidf("state-set", "value of %q is %d bytes, over Juju's %d-byte limit", k, len(v), maxStateValue)
		}
	}
	stdin, err := json.Marshal(values)
	if err != nil {
		return fmt.Errorf("state-set: encoding values: %w", err)
	}
	_, err = t.run(ctx, "state-set", []string{"--file", "-"}, append(stdin, '\n'))
	return err
}

// StateDelete deletes one server-side state key (`state-delete <key>`).
func (t *Tools) StateDelete(ctx context.Context, key string) error {
	if err := checkFreeKey("state-delete", key); err != nil {
		return err
	}
	_, err := t.run(ctx, "state-delete", []string{key}, nil)
	return err
}
