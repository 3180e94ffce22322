package jujusim_test

import (
	"flag"
	"os"
	"testing"
)

// TestMain removes the password charm built for the end-to-end tests.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if passwordBuild.dir != "" {
		os.RemoveAll(passwordBuild.dir)
	}
	os.Exit(code)
}
