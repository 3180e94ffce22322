package fakejuju

import (
	"bufio"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Ensure that a process stopped between the two writes of a change (a hook
// tool killed with its hook) has already saved the model and not yet the
// journal: an is-leader answer is never on record while the lease it
// extended is lost, so an election after it still waits for its guarantee.
func TestDir_ModelBeforeJournal(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	m := New("m", "01234567-89ab-cdef-0123-456789abcdef", "3.6.0", now)
	_, err := m.AddApp("app", nil, nil)
	require.NoError(t, err)
	_, err = m.AddUnit("app/0", "10.0.0.1")
	require.NoError(t, err)
	_, err = m.Elect("app/0")
	require.NoError(t, err)
	_, err = m.Open(ContextSpec{ID: "c0", Unit: "app/0", Hook: "install"})
	require.NoError(t, err)
	s, err := CreateDir(t.TempDir(), m)
	require.NoError(t, err)

	var onDisk *Model
	var journaled []Entry
	afterModelWrite = func() {
		onDisk, err = s.ReadModel()
		require.NoError(t, err)
		journaled = readJournalFile(t, s)
	}
	t.Cleanup(func() { afterModelWrite = nil })
	require.NoError(t, s.Update(func(m *Model) error {
		c, ok := m.Context("c0")
		require.True(t, ok)
		m.Now = now.Add(10 * time.Second)
		require.True(t, m.CheckLeader(c))
		return nil
	}))
	require.NotNil(t, onDisk)
	assert.Equal(t, now.Add(10*time.Second+Guarantee), onDisk.Apps["app"].LeaseExpires, "the extended lease is saved first")
	for _, e := range journaled {
		assert.Nil(t, e.Lease, "the answer is recorded after the lease is saved")
	}
	all, err := s.Journal()
	require.NoError(t, err)
	assert.True(t, func() bool {
		for _, e := range all {
			if e.Lease != nil && e.Lease.Unit == "app/0" {
				return true
			}
		}
		return false
	}(), "the answer is recorded once the change is saved")
}

// readJournalFile decodes journal.jsonl without the store's lock (the
// writer holds it).
func readJournalFile(t *testing.T, s Dir) []Entry {
	t.Helper()
	f, err := os.Open(s.file(JournalFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	require.NoError(t, err)
	defer f.Close()
	var out []Entry
	for sc := bufio.NewScanner(f); sc.Scan(); {
		var e Entry
		require.NoError(t, json.Unmarshal(sc.Bytes(), &e))
		out = append(out, e)
	}
	return out
}
