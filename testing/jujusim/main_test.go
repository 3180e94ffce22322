package jujusim_test

import (
	"flag"
	"os"
	"testing"
)

// TestMain removes the password charm directory of the end-to-end tests.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if passwordDir.dir != "" {
		os.RemoveAll(passwordDir.dir)
	}
	os.Exit(code)
}
