// Command faketool stands in for every Juju hook tool in
// BenchmarkSteadyStateHook: installed under each tool's name, it answers at
// once, as a follower of a deployed password charm would be answered. With
// FAKE_TOOL_LOG set it appends its command line, as a JSON array, to that
// file.
package main

import (
	"encoding/json"
	"os"
	"path/filepath"
)

func main() {
	tool := filepath.Base(os.Args[0])
	if log := os.Getenv("FAKE_TOOL_LOG"); log != "" {
		line, _ := json.Marshal(append([]string{tool}, os.Args[1:]...))
		f, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			os.Exit(3)
		}
		f.Write(append(line, '\n'))
		f.Close()
	}
	switch tool {
	case "relation-ids": // no client application related
		os.Stdout.WriteString("[]\n")
	case "is-leader":
		os.Stdout.WriteString("false\n")
	case "leader-get":
		os.Stdout.WriteString(`{"admin_password":"a-password-set-by-the-leader"}` + "\n")
	case "config-get":
		os.Stdout.WriteString(`{"fail-on-unit":"","motd":"","password-file":""}` + "\n")
	case "status-set", "juju-log":
	default:
		os.Stderr.WriteString("ERROR unexpected tool " + tool + "\n")
		os.Exit(1)
	}
}
