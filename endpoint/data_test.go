package endpoint_test

import (
	"context"
	"math"
	"testing"

	"github.com/charmkit/charmkit/endpoint"
	"github.com/charmkit/charmkit/reactive"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Values are decoded as charms.reactive decodes them: JSON when it parses,
// the raw string otherwise, "" as itself.
func TestData_Decode(t *testing.T) {
	t.Parallel()
	d := endpoint.NewData(map[string]string{
		"null": "null", "int": "123", "ip": "10.0.0.1", "empty": "", "float": "1.5", "big": "1e400",
		"quoted": `"10.0.0.2"`, "obj": `{"a": [1, true]}`, "nan": "NaN", "bool": "true",
	})
	for key, want := range map[string]any{
		"null": nil, "int": int64(123), "ip": "10.0.0.1", "empty": "", "float": 1.5, "big": math.Inf(1),
		"quoted": "10.0.0.2", "obj": map[string]any{"a": []any{int64(1), true}}, "bool": true,
	} {
		v, ok := d.Lookup(key)
		assert.True(t, ok, key)
		assert.Equal(t, want, v, key)
	}
	assert.True(t, math.IsNaN(d.Get("nan").(float64)))
	v, ok := d.Lookup("absent")
	assert.False(t, ok)
	assert.Nil(t, v)

	for key, want := range map[string]string{"ip": "10.0.0.1", "quoted": "10.0.0.2", "int": "123", "empty": "", "obj": `{"a": [1, true]}`} {
		s, ok := d.String(key)
		assert.True(t, ok)
		assert.Equal(t, want, s, key)
	}
	var port int
	ok, err := d.Decode("int", &port)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, 123, port)
	var ip string
	ok, err = d.Decode("ip", &ip)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "10.0.0.1", ip, "a raw value decodes as a string")
	_, err = d.Decode("ip", &port)
	assert.Error(t, err)
	ok, err = d.Decode("absent", &port)
	assert.False(t, ok)
	assert.NoError(t, err)
	assert.Equal(t, []string{"big", "bool", "empty", "float", "int", "ip", "nan", "null", "obj", "quoted"}, d.Keys())
	assert.Equal(t, 10, d.Len())
	assert.Zero(t, endpoint.Data{}.Len())
	assert.Equal(t, map[string]string{}, endpoint.Data{}.RawMap())
}

// Bag.Set publishes Python's json.dumps(v, sort_keys=True).
func TestEncodeValue(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v    any
		want string
	}{
		{"x", `"x"`},
		{map[string]any{"b": 1, "a": []any{1, 2.5, nil, true}}, `{"a": [1, 2.5, null, true], "b": 1}`},
		{"é", `"\u00e9"`},
		{nil, "null"},
		{1.0, "1.0"},
		{struct {
			Host string `json:"host"`
			Port int    `json:"port"`
		}{"h", 5432}, `{"host": "h", "port": 5432}`},
	} {
		got, err := endpoint.EncodeValue(c.v)
		require.NoError(t, err)
		assert.Equal(t, c.want, got)
	}
}

func TestHandleInterface(t *testing.T) {
	t.Parallel()
	md, err := reactive.ParseMetadata([]byte(fixtureMetadata))
	require.NoError(t, err)
	r := reactive.NewRegistry()
	fn := func(ctx context.Context, h *reactive.Hook, ep *endpoint.Endpoint) error { return nil }
	assert.Nil(t, endpoint.HandleInterface(r, md, "provides", "test-alt", "x", endpoint.When("endpoint.{endpoint_name}.joined"), fn),
		"no relation of that role and interface: nothing registered")
	assert.Empty(t, r.Handlers())
	assert.Equal(t, []string{"test-endpoint", "test-endpoint2", "test-endpoint3"},
		endpoint.HandleInterface(r, md, "requires", "test-alt", "ready",
			endpoint.All(endpoint.When("endpoint.{endpoint_name}.joined"), endpoint.WhenNot("{endpoint_name}.ready"),
				endpoint.Fixed(reactive.WhenNot("charm.paused"))), fn))
	assert.Equal(t, "ready:test-endpoint2", r.Handlers()[1].Name)
	assert.Equal(t, []string{"endpoint.test-endpoint2.joined", "test-endpoint2.ready", "charm.paused"}, r.Handlers()[1].Watched)
	assert.Regexp(t, `^endpoint: HandleInterface "n" at endpoint/data_test.go:\d+: nil metadata`,
		panicValue(func() { endpoint.HandleInterface(r, nil, "requires", "x", "n", endpoint.When("a"), fn) }))
	assert.Regexp(t, `^endpoint: HandleInterface "n" at endpoint/data_test.go:\d+: role "require": want provides, requires or peers`,
		panicValue(func() { endpoint.HandleInterface(r, md, "require", "x", "n", endpoint.When("a"), fn) }))
	assert.Regexp(t, `^endpoint: Handle "n" at endpoint/data_test.go:\d+: invalid endpoint name "Bad Name"`,
		panicValue(func() { endpoint.Handle(r, "n", "Bad Name", endpoint.When("a"), fn) }))
	assert.Panics(t, func() { endpoint.Handle(r, "ready:test-endpoint", "test-endpoint", endpoint.When("a"), fn) }, "a name registered twice")
	assert.Equal(t, []string{"endpoint.db.x", "y.db.{other}"}, endpoint.Expand("db", "endpoint.{endpoint_name}.x", "y.{endpoint_name}.{other}"))
	var ep *endpoint.Endpoint
	assert.Equal(t, "endpoint..joined", ep.ExpandName("joined"))
}

func TestExpandName(t *testing.T) {
	t.Parallel()
	out := probe(t, db(), "update-status", func(ctx context.Context, h *reactive.Hook) error {
		ep := endpoint.FromName(h, "db")
		assert.Equal(t, "endpoint.db.joined", ep.ExpandName("joined"))
		assert.Equal(t, "db.ready", ep.ExpandName("{endpoint_name}.ready"))
		assert.Equal(t, "requires", ep.Role())
		return nil
	})
	require.NoError(t, out.Err)
}
