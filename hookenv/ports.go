package hookenv

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Port is a port or port range to open or close; for "icmp" From and To are 0.
type Port struct {
	Protocol string // "tcp", "udp" or "icmp"
	From     int    // first port, 1-65535
	To       int    // last port; equal to From for a single port
}

// String formats p as Juju does: "8080/tcp", "8000-8100/udp" or "icmp".
func (p Port) String() string {
	if p.Protocol == "icmp" {
		return "icmp"
	}
	if p.From == p.To {
		return fmt.Sprintf("%d/%s", p.From, p.Protocol)
	}
	return fmt.Sprintf("%d-%d/%s", p.From, p.To, p.Protocol)
}

// Validate reports why Juju would reject p, as an error wrapping [ErrInvalidArgument].
func (p Port) Validate() error {
	switch p.Protocol {
	case "icmp":
		if p.From != 0 || p.To != 0 {
			return fmt.Errorf("%w: icmp takes no port number", ErrInvalidArgument)
		}
		return nil
	case "tcp", "udp":
	default:
		return fmt.Errorf("%w: invalid protocol %q, expected tcp, udp or icmp", ErrInvalidArgument, p.Protocol)
	}
	if p.From < 1 || p.From > 65535 || p.To < 1 || p.To > 65535 {
		return fmt.Errorf("%w: port %d-%d out of range 1-65535", ErrInvalidArgument, p.From, p.To)
	}
	if p.From > p.To {
		return fmt.Errorf("%w: port range %d-%d is reversed", ErrInvalidArgument, p.From, p.To)
	}
	return nil
}

// ParsePort parses "8080", "8080/tcp", "8000-8100/udp" or "icmp". The protocol is
// case-insensitive and defaults to tcp, as in open-port.
func ParsePort(s string) (Port, error) {
	rng, proto, hasProto := strings.Cut(s, "/")
	proto = strings.ToLower(proto)
	if !hasProto {
		proto = "tcp"
	}
	if strings.EqualFold(rng, "icmp") && !hasProto {
		return Port{Protocol: "icmp"}, nil
	}
	from, to, isRange := strings.Cut(rng, "-")
	f, err1 := strconv.Atoi(from)
	tt, err2 := f, error(nil)
	if isRange {
		tt, err2 = strconv.Atoi(to)
	}
	if err1 != nil || err2 != nil || from == "" || strings.HasPrefix(from, "+") || strings.HasPrefix(to, "+") {
		return Port{}, fmt.Errorf("%w: invalid port %q", ErrInvalidArgument, s)
	}
	p := Port{Protocol: proto, From: f, To: tt}
	if err := p.Validate(); err != nil {
		return Port{}, fmt.Errorf("port %q: %w", s, err)
	}
	return p, nil
}

func portArgs(tool string, p Port, endpoints []string) ([]string, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", tool, err)
	}
	args := []string{p.String()}
	if len(endpoints) > 0 {
		for _, e := range endpoints {
			if err := checkEndpoint(tool, e); err != nil {
				return nil, err
			}
		}
		args = append(args, "--endpoints", strings.Join(endpoints, ","))
	}
	return args, nil
}

// OpenPort runs `open-port <port> [--endpoints a,b]`; Juju applies it when the hook succeeds.
func (t *Tools) OpenPort(ctx context.Context, p Port, endpoints ...string) error {
	args, err := portArgs("open-port", p, endpoints)
	if err != nil {
		return err
	}
	_, err = t.run(ctx, "open-port", args, nil)
	return err
}

// ClosePort runs `close-port <port> [--endpoints a,b]`; Juju applies it when the hook succeeds.
func (t *Tools) ClosePort(ctx context.Context, p Port, endpoints ...string) error {
	args, err := portArgs("close-port", p, endpoints)
	if err != nil {
		return err
	}
	_, err = t.run(ctx, "close-port", args, nil)
	return err
}

// OpenedPorts returns the ports open for this unit (`opened-ports --format=json`).
func (t *Tools) OpenedPorts(ctx context.Context) ([]Port, error) {
	out, err := t.run(ctx, "opened-ports", []string{"--format=json"}, nil)
	if err != nil {
		return nil, err
	}
	list, err := decodeStrings("opened-ports", out)
	if err != nil {
		return nil, err
	}
	ports := make([]Port, 0, len(list))
	for i, s := range list {
		p, err := ParsePort(s)
		if err != nil {
			return nil, badOutputf("opened-ports", "entry %d of %d is not a port", i, len(list))
		}
		ports = append(ports, p)
	}
	return ports, nil
}
