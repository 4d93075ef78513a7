package main

import (
	"bytes"
	"errors"
	"flag"
	"log"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestHelpListsEveryVariable: -h names the credentials, and every
// environment variable the demo reads, found in its source, so a new
// one cannot be left out.
func TestHelpListsEveryVariable(t *testing.T) {
	var out bytes.Buffer
	_, err := setup([]string{"-h"}, func(string) string { return "" }, log.New(&out, "", 0))
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("setup(-h) = %v, want flag.ErrHelp", err)
	}
	help := out.String()
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	vars := regexp.MustCompile(`getenv\("([A-Z_]+)"\)`).FindAllStringSubmatch(string(src), -1)
	if len(vars) < 3 {
		t.Fatalf("found only %d getenv calls in main.go", len(vars))
	}
	for _, v := range vars {
		if !regexp.MustCompile(`(?m)^  ` + v[1] + ` `).MatchString(help) {
			t.Errorf("-h does not list %s:\n%s", v[1], help)
		}
	}
	for _, want := range []string{`password "correct"`, "-webdis", "go run ./cmd/keygen"} {
		if !strings.Contains(help, want) {
			t.Errorf("-h does not say %q", want)
		}
	}
}
