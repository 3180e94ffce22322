package jujusim_test

import (
	"flag"
	"os"
	"testing"
)

// TestMain removes the example charm directories of the end-to-end tests.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	for _, e := range []*exampleDir{passwordDir, clientDir} {
		if e.dir != "" {
			os.RemoveAll(e.dir)
		}
	}
	os.Exit(code)
}
