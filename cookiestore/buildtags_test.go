//go:build !tinygo

// TestBuildTags runs `go build`, which a WASI test binary cannot do:
// `tinygo test -target=wasip1` leaves it out.

package cookiestore_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildTags builds testdata/nojson, a program that uses the engine
// with a Codec of its own, with and without the crumb_nojson and
// crumb_nohttp tags, and checks what the tags promise: with them the
// binary links neither encoding/json's encoder and decoder nor
// net/http, and New wants a Codec; without them both are linked (which
// shows the symbol check can fail) and JSON is the default.
func TestBuildTags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two programs")
	}
	for _, tc := range []struct {
		tags       string
		linked     bool
		defaultOut string
	}{
		{"crumb_nojson,crumb_nohttp", false, "default codec: false true"},
		{"", true, "default codec: true false"},
	} {
		t.Run("tags="+tc.tags, func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), "nojson")
			run(t, "go", "build", "-tags="+tc.tags, "-o", bin, "./testdata/nojson")
			out := run(t, bin)
			if want := tc.defaultOut + "\nround trip: <nil> hello\n"; out != want {
				t.Fatalf("program printed %q, want %q", out, want)
			}
			syms := run(t, "go", "tool", "nm", bin)
			for _, sym := range []string{
				"encoding/json.(*decodeState).object",
				"encoding/json.(*encodeState).marshal",
				"net/http.init", // the package is linked at all
			} {
				if found := hasSymbol(syms, sym); found != tc.linked {
					t.Errorf("%s linked: %v, want %v", sym, found, tc.linked)
				}
			}
		})
	}
}

// run runs a command in the package directory, with the environment of
// a native build (GOFLAGS such as -race left out), and returns stdout.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "GOFLAGS=") && !strings.HasPrefix(e, "GOOS=") && !strings.HasPrefix(e, "GOARCH=") {
			env = append(env, e)
		}
	}
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// hasSymbol reports whether go tool nm output lists sym.
func hasSymbol(nm, sym string) bool {
	sc := bufio.NewScanner(strings.NewReader(nm))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 3 && f[len(f)-1] == sym {
			return true
		}
	}
	return false
}
