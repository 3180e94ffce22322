package hookenv

import (
	"context"
	"slices"
)

// Status is a workload status to set with [Tools.StatusSet].
type Status struct {
	State       string // "maintenance", "blocked", "waiting" or "active"
	Message     string // free text, may be empty
	Application bool   // set the application's status (leader only) instead of the unit's
}

// statusStates lists the states status-set accepts, in Juju's order.
var statusStates = []string{"maintenance", "blocked", "waiting", "active"}

// StatusSet runs `status-set [--application] -- <state> <message>`. An unknown
// state is rejected before the call. Setting the application status on a
// non-leader fails with a [*ToolError] matching [ErrNotLeader].
func (t *Tools) StatusSet(ctx context.Context, s Status) error {
	if !slices.Contains(statusStates, s.State) {
		return invalidf("status-set", "invalid status %q, expected one of %v", s.State, statusStates)
	}
	if err := checkText("status-set", "message", s.Message); err != nil {
		return err
	}
	var args []string
	if s.Application {
		if err := t.requireLeader(ctx, "status-set"); err != nil {
			return err
		}
		args = append(args, "--application")
	}
	args = append(args, "--", s.State, s.Message)
	_, err := t.run(ctx, "status-set", args, nil)
	return err
}

// StatusInfo is a status as status-get reports it.
type StatusInfo struct {
	Status  string         `json:"status"`
	Message string         `json:"message"`
	Data    map[string]any `json:"status-data"`
}

// ApplicationStatusInfo is the application's status with each unit's.
type ApplicationStatusInfo struct {
	StatusInfo
	Units map[string]StatusInfo `json:"units"`
}

// StatusGet returns the unit's status (`status-get --format=json --include-data`).
func (t *Tools) StatusGet(ctx context.Context) (StatusInfo, error) {
	var s StatusInfo
	if err := t.runJSON(ctx, "status-get", []string{"--format=json", "--include-data"}, &s); err != nil {
		return StatusInfo{}, err
	}
	return s, s.typeData()
}

// typeData turns the JSON numbers in Data into int64 or float64.
func (s *StatusInfo) typeData() error {
	if s.Data == nil {
		return nil
	}
	d, err := typedValue(s.Data)
	if err != nil {
		return badOutputf("status-get", "status-data: %v", err)
	}
	s.Data = d.(map[string]any)
	return nil
}

// ApplicationStatusGet returns the application's status and its units'
// (`status-get --format=json --include-data --application`); leader only.
func (t *Tools) ApplicationStatusGet(ctx context.Context) (ApplicationStatusInfo, error) {
	var wrap struct {
		App *ApplicationStatusInfo `json:"application-status"`
	}
	if err := t.runJSON(ctx, "status-get", []string{"--format=json", "--include-data", "--application"}, &wrap); err != nil {
		return ApplicationStatusInfo{}, err
	}
	if wrap.App == nil {
		return ApplicationStatusInfo{}, badOutputf("status-get", "no \"application-status\" object")
	}
	app := *wrap.App
	if err := app.typeData(); err != nil {
		return ApplicationStatusInfo{}, err
	}
	for name, u := range app.Units {
		if err := u.typeData(); err != nil {
			return ApplicationStatusInfo{}, err
		}
		app.Units[name] = u
	}
	return app, nil
}

// ApplicationVersionSet runs `application-version-set -- <version>`.
func (t *Tools) ApplicationVersionSet(ctx context.Context, version string) error {
	if err := checkText("application-version-set", "version", version); err != nil {
		return err
	}
	_, err := t.run(ctx, "application-version-set", []string{"--", version}, nil)
	return err
}
