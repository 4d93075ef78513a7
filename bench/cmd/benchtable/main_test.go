package main

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
)

// TestTablePrints runs the whole command with a tiny benchtime and
// checks that every section of the table is there. It asserts nothing
// about the figures.
func TestTablePrints(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every benchmark briefly")
	}
	var out, errb bytes.Buffer
	if code := run([]string{"-benchtime", "2ms", "-count", "2", "-q"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{
		"| encrypted | crumb encrypted (AES-256-GCM) | seal |",
		"| encrypted | gorilla securecookie hash+block (AES-CTR+HMAC) | open |",
		"| encrypted | bare JSON+AES-256-GCM+base64 | seal |",
		"| signed | crumb signed HMAC-SHA256 | open |",
		"| signed | gorilla securecookie hash only (HMAC) | seal |",
		"| signed | bare JSON+HMAC-SHA256+base64 | open |",
		"| signed | crumb signed Ed448 | seal |",
		"### Rotation",
		"| gorilla DecodeMulti, 3 codecs |",
		"| crumb encrypted, ring of 3 |",
		"### Cookie session stores through an http.Handler",
		"| crumb cookiestore (encrypted, JSON) | changed session |",
		"| gorilla/sessions CookieStore (hash+block, gob) | unchanged session |",
		"### Sealer layer alone",
		"### Cookie capacity",
		"| crumb encrypted | ",
		"### Goals (reported, not asserted)",
		"encrypted seal ≥ 3× faster than gorilla",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q", want)
		}
	}
	// CPU time is measured on Linux and macOS: no row may lack it there.
	for _, line := range strings.Split(out.String(), "\n") {
		if (runtime.GOOS == "linux" || runtime.GOOS == "darwin") && strings.HasPrefix(line, "| encrypted | crumb encrypted") && strings.Contains(line, "| – |") {
			t.Errorf("row without CPU time: %s", line)
		}
	}
	if t.Failed() {
		t.Log(out.String())
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-benchtime", "0s"}, {"-count", "0"}, {"-nope"}, {"extra"}} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if out.Len() != 0 {
			t.Errorf("%v: printed a table", args)
		}
	}
}
