package leadership

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/charmkit/charmkit/hookenv"
)

// Ensure that every settings key has a content key Juju accepts, readable
// for the usual snake_case keys, that the mapping is one to one and never
// gives the layer's own content key, and that content keys the layer did
// not make decode to nothing.
func TestContentKey(t *testing.T) {
	for key, want := range map[string]string{
		"admin_password": "admin-password",
		"password":       "password",
		"db_2_host":      "db-2-host",
		"ab":             "x6162",   // too short for Juju
		"a_b":            "x615f62", // two alphanumerics only
		"adminPassword":  "x61646d696e50617373776f7264",
		"x_token":        "x785f746f6b656e", // x is the hex form's mark
		"a__b":           "x615f5f62",
		"_a1":            "x5f6131",
		"9lives":         "x396c69766573",
		"a.b.c":          "x612e622e63",
		"admin-password": "x61646d696e2d70617373776f7264",
		"tab\tkey":       "x746162096b6579",
	} {
		ck := contentKey(key)
		assert.Equal(t, want, ck, key)
		assert.Regexp(t, secretKeyRE, ck, key)
		back, ok := keyOfContent(ck)
		assert.True(t, ok, key)
		assert.Equal(t, key, back)
		assert.NotEqual(t, metaContentKey, ck)
	}
	for _, ck := range []string{metaContentKey, "x", "x6", "xzz", "admin-password-", "x6162-", "a--b"} {
		_, ok := keyOfContent(ck)
		assert.False(t, ok, ck)
	}
	_, ok := keyOfContent("x-leadership")
	assert.False(t, ok)
}

// Ensure that contentKey is one to one on every key and always gives a
// content key Juju accepts.
func FuzzContentKey(f *testing.F) {
	for _, s := range []string{"admin_password", "ab", "x_token", "a__b", "Ab", "é", "a-b-c", "x-leadership"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if key == "" {
			return
		}
		ck := contentKey(key)
		if !secretKeyRE.MatchString(ck) {
			t.Fatalf("content key %q of %q is not valid for Juju", ck, key)
		}
		if ck == metaContentKey {
			t.Fatalf("%q maps to the record's key", key)
		}
		back, ok := keyOfContent(ck)
		if !ok || back != key {
			t.Fatalf("%q -> %q -> %q, %v", key, ck, back, ok)
		}
	})
}

// Ensure that a pointer decodes only when well formed, with its ID in the
// secret:<id> form whatever form it was written in.
func TestParsePointer(t *testing.T) {
	p, err := parsePointer(`{"id":"secret://aa28d0d8-4a1b-4b2a-8f5a-6d21a53d2f1b/cqd6krnmp25c77b4kq70","revision":3,"keys":{"admin_password":2}}`)
	require.NoError(t, err)
	assert.Equal(t, &pointer{ID: "secret:cqd6krnmp25c77b4kq70", Revision: 3, Keys: map[string]int{"admin_password": 2}}, p)
	assert.Equal(t, `{"id":"secret:cqd6krnmp25c77b4kq70","revision":3,"keys":{"admin_password":2}}`, p.encode())
	p, err = parsePointer(`{"id":"secret:cqd6krnmp25c77b4kq70","revision":1}`)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{}, p.Keys)
	for _, bad := range []string{
		"", "hello", `{"id":"nope","revision":1}`, `{"id":"secret:cqd6krnmp25c77b4kq70","revision":0}`,
		`{"id":"secret:cqd6krnmp25c77b4kq70","revision":1,"keys":{"k":2}}`,
		`{"id":"secret:cqd6krnmp25c77b4kq70","revision":1,"value":"x"}`,
	} {
		_, err := parsePointer(bad)
		assert.Error(t, err, bad)
	}
}

// Ensure that tokens format and parse back, and that a plain value is not
// taken for one.
func TestSecretToken(t *testing.T) {
	tok := secretToken{id: "cqd6krnmp25c77b4kq70", revision: 12}
	assert.Equal(t, "secret:cqd6krnmp25c77b4kq70?revision=12", tok.String())
	back, ok := parseSecretToken(tok.String())
	assert.True(t, ok)
	assert.Equal(t, tok, back)
	tok.unconfirmed = true
	assert.Equal(t, "secret:cqd6krnmp25c77b4kq70?revision=12&unconfirmed", tok.String())
	back, ok = parseSecretToken(tok.String())
	assert.True(t, ok)
	assert.Equal(t, tok, back)
	for _, s := range []string{"X3hwHnkVNjfCV7CxbbfSHcmkpx5z5h6YkVcq8wXcPgTd", "secret:cqd6krnmp25c77b4kq70", "secret:cqd6krnmp25c77b4kq70?revision=0"} {
		_, ok := parseSecretToken(s)
		assert.False(t, ok, s)
	}
}

// Ensure the cut-off of docs/juju-secrets.md, "1. Which Juju has secrets":
// 3.0.2 and later; an unknown version counts as having them.
func TestSecretsSupported(t *testing.T) {
	for v, want := range map[string]bool{
		"2.9.42": false, "3.0.0": false, "3.0.1": false, "3.0-beta2": false,
		"3.0.2": true, "3.0.3": true, "3.1.0": true, "3.6.4": true, "4.0.1": true,
	} {
		ver, err := hookenv.ParseVersion(v)
		require.NoError(t, err)
		assert.Equal(t, want, secretsSupported(ver), v)
	}
	assert.True(t, secretsSupported(hookenv.Version{}))
}
