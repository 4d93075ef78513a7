package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/keys/ed25519"
	"github.com/crumbkit/crumb/keys/ed448"
)

// binPath is the keygen binary built once for this test binary by
// TestMain; every test runs it as a user would.
var binPath string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	goTool, err := exec.LookPath("go")
	if err != nil {
		fmt.Fprintln(os.Stderr, "keygen tests need the go tool on PATH to build the binary:", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "keygen-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binPath = filepath.Join(dir, "keygen")
	build := exec.Command(goTool, "build", "-o", binPath, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building keygen:", err)
		return 1
	}
	return m.Run()
}

type result struct {
	stdout, stderr string
	code           int
}

// keygen runs the built binary with stdin and extra environment
// variables, in an environment cleared of the variables keygen reads.
func keygen(t *testing.T, stdin string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "SESSION_") || strings.HasPrefix(kv, "TEST_RING") {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running keygen %v: %v", args, err)
	}
	return result{out.String(), errb.String(), code}
}

// oneLine returns the only line of out, failing unless out is exactly
// one newline-terminated line.
func oneLine(t *testing.T, out string) string {
	t.Helper()
	if !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 {
		t.Fatalf("want exactly one line on stdout, got %d lines", strings.Count(out, "\n"))
	}
	return strings.TrimSuffix(out, "\n")
}

func mustRing(t *testing.T, text string) *keys.Ring {
	t.Helper()
	r, err := keys.ParseRing(text)
	if err != nil {
		t.Fatalf("output does not parse as a ring: %v", err)
	}
	return r
}

func ids(r *keys.Ring) []keys.ID {
	var out []keys.ID
	for _, k := range r.Keys() {
		out = append(out, k.ID())
	}
	return out
}

func newRing(t *testing.T, n int) *keys.Ring {
	t.Helper()
	ks := make([]keys.Key, n)
	for i := range ks {
		k, err := keys.Generate(nil)
		if err != nil {
			t.Fatal(err)
		}
		ks[i] = k
	}
	r, err := keys.NewRing(ks...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestGenerate(t *testing.T) {
	tests := []struct {
		args     []string
		wantName string
		wantLen  int
	}{
		{nil, "", 1},
		{[]string{"-n", "1"}, "", 1},
		{[]string{"-n", "3"}, "", 3},
		{[]string{"-n", "100"}, "", 100},
		{[]string{"-name", "SESSION_KEYS"}, "SESSION_KEYS", 1},
		{[]string{"-n", "2", "-name", "APP_KEYS"}, "APP_KEYS", 2},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			res := keygen(t, "", nil, tt.args...)
			if res.code != 0 || res.stderr != "" {
				t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
			}
			text := oneLine(t, res.stdout)
			if tt.wantName != "" {
				if !strings.HasPrefix(text, tt.wantName+"=") {
					t.Fatalf("output does not start with %s=", tt.wantName)
				}
				text = strings.TrimPrefix(text, tt.wantName+"=")
			} else if strings.Contains(text, "=") {
				t.Fatal("bare output contains '=': a padded key or a NAME= prefix")
			}
			if strings.ContainsAny(text, "+/ ") {
				t.Fatal("output is not plain base64url")
			}
			r := mustRing(t, text)
			if r.Len() != tt.wantLen {
				t.Fatalf("ring has %d keys, want %d", r.Len(), tt.wantLen)
			}
			if got := strings.Count(text, ",") + 1; got != tt.wantLen {
				t.Fatalf("%d comma-separated fields, want %d", got, tt.wantLen)
			}
			for _, f := range strings.Split(text, ",") {
				if len(f) != 43 { // 32 bytes in unpadded base64
					t.Fatalf("key field has %d characters, want 43", len(f))
				}
			}
		})
	}
}

func TestGenerateIsFresh(t *testing.T) {
	a := oneLine(t, keygen(t, "", nil).stdout)
	b := oneLine(t, keygen(t, "", nil).stdout)
	if a == b {
		t.Fatal("two runs printed the same key")
	}
}

func TestExitCodes(t *testing.T) {
	pub := strings.Split(oneLineN(t, keygen(t, "", nil, "ed448").stdout, 2)[1], "=")[1]
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  int
	}{
		{"plain", "", nil, 0},
		{"help flag", "", []string{"-h"}, 0},
		{"help command", "", []string{"help"}, 0},
		{"help rotate", "", []string{"help", "rotate"}, 0},
		{"unknown command", "", []string{"frobnicate"}, 2},
		{"help unknown", "", []string{"help", "frobnicate"}, 2},
		{"unknown flag", "", []string{"-x"}, 2},
		{"n zero", "", []string{"-n", "0"}, 2},
		{"n too big", "", []string{"-n", "101"}, 2},
		{"n not a number", "", []string{"-n", "three"}, 2},
		{"bad env name", "", []string{"-name", "1X"}, 2},
		{"stray argument", "", []string{"-n", "2", "extra"}, 2},
		{"rotate negative keep", "", []string{"rotate", "-keep", "-1"}, 2},
		{"rotate empty stdin", "", []string{"rotate"}, 1},
		{"rotate garbage", "not a ring!", []string{"rotate"}, 1},
		{"rotate public ring", pub, []string{"rotate"}, 1},
		{"check garbage", "%%%", []string{"check"}, 1},
		{"check empty", " , ", []string{"check"}, 1},
		{"check unknown scheme", "rsa-private:AAAA", []string{"check"}, 1},
		{"derive no context", "a long enough passphrase", []string{"derive"}, 2},
		{"derive short", "short", []string{"derive", "-context", "app"}, 1},
		{"derive empty", "", []string{"derive", "-context", "app"}, 1},
		{"ed448 same names", "", []string{"ed448", "-name", "A", "-public-name", "A"}, 2},
		{"ed25519 n zero", "", []string{"ed25519", "-n", "0"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := keygen(t, tt.stdin, nil, tt.args...)
			if res.code != tt.want {
				t.Fatalf("exit %d, want %d (stderr %q)", res.code, tt.want, res.stderr)
			}
			if tt.want != 0 {
				if res.stdout != "" {
					t.Errorf("failure printed to stdout: %q", res.stdout)
				}
				if !strings.HasPrefix(res.stderr, "keygen: ") && !strings.Contains(res.stderr, "\nkeygen: ") {
					t.Errorf("stderr has no keygen: message: %q", res.stderr)
				}
			}
		})
	}
}

func oneLineN(t *testing.T, out string, n int) []string {
	t.Helper()
	if !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != n {
		t.Fatalf("want %d lines on stdout, got %d", n, strings.Count(out, "\n"))
	}
	return strings.Split(strings.TrimSuffix(out, "\n"), "\n")
}

func TestHelp(t *testing.T) {
	for _, cmd := range []string{"", "rotate", "ed448", "ed25519", "derive", "check"} {
		t.Run("cmd="+cmd, func(t *testing.T) {
			var variants [][]string
			if cmd == "" {
				variants = [][]string{{"-h"}, {"-help"}, {"help"}}
			} else {
				variants = [][]string{{cmd, "-h"}, {"help", cmd}}
			}
			for _, args := range variants {
				res := keygen(t, "", nil, args...)
				if res.code != 0 {
					t.Fatalf("%v: exit %d", args, res.code)
				}
				want := "usage: keygen " + cmd
				if cmd == "" {
					want = "usage:\n  keygen [-n N] [-name VAR]"
				}
				if !strings.Contains(res.stdout, want) {
					t.Errorf("%v: help lacks %q", args, want)
				}
				if !strings.Contains(res.stdout, "Exit status: 0 success; 1 invalid input") {
					t.Errorf("%v: help does not document exit codes", args)
				}
			}
		})
	}
	// A bad flag gives a short message on stderr, not the whole help on
	// stdout, so $(keygen -bad) captures nothing.
	res := keygen(t, "", nil, "rotate", "-bogus")
	if res.code != 2 || res.stdout != "" || !strings.Contains(res.stderr, "keygen -h") {
		t.Fatalf("bad flag: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
}

func TestRotate(t *testing.T) {
	old := newRing(t, 4)
	oldIDs := ids(old)
	tests := []struct {
		keep    int
		wantOld int
	}{{0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 4}, {10, 4}}
	for _, tt := range tests {
		t.Run(fmt.Sprint("keep=", tt.keep), func(t *testing.T) {
			res := keygen(t, old.Export(), nil, "rotate", "-keep", fmt.Sprint(tt.keep))
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			nr := mustRing(t, oneLine(t, res.stdout))
			got := ids(nr)
			if len(got) != tt.wantOld+1 {
				t.Fatalf("new ring has %d keys, want %d", len(got), tt.wantOld+1)
			}
			if _, _, ok := old.Lookup(got[0]); ok {
				t.Fatal("the new primary is an old key")
			}
			for i, id := range got[1:] {
				if id != oldIDs[i] {
					t.Fatalf("old key %d is %s, want %s (old keys keep their order)", i+1, id, oldIDs[i])
				}
			}
		})
	}
}

func TestRotateDefaultKeep(t *testing.T) {
	old := newRing(t, 5)
	res := keygen(t, old.Export(), nil, "rotate")
	if n := mustRing(t, oneLine(t, res.stdout)).Len(); n != 3 {
		t.Fatalf("default rotate kept %d keys in all, want 3 (new + 2)", n)
	}
}

func TestRotateSources(t *testing.T) {
	fromFlag, fromEnv, fromStdin := newRing(t, 1), newRing(t, 1), newRing(t, 1)
	tests := []struct {
		name     string
		stdin    string
		env      []string
		args     []string
		wantOld  *keys.Ring
		wantName string
	}{
		{"flag beats env and stdin", fromStdin.Export(), []string{"SESSION_KEYS=" + fromEnv.Export()}, []string{"-ring", fromFlag.Export()}, fromFlag, ""},
		{"env beats stdin", fromStdin.Export(), []string{"SESSION_KEYS=" + fromEnv.Export()}, nil, fromEnv, ""},
		{"stdin", fromStdin.Export(), nil, nil, fromStdin, ""},
		{"stdin with NAME= prefix", "SESSION_KEYS=" + fromStdin.Export() + "\n", nil, nil, fromStdin, ""},
		{"named env var", "", []string{"TEST_RING=" + fromEnv.Export()}, []string{"-name", "TEST_RING"}, fromEnv, "TEST_RING"},
		{"empty env falls back to stdin", fromStdin.Export(), []string{"SESSION_KEYS="}, nil, fromStdin, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := keygen(t, tt.stdin, tt.env, append([]string{"rotate"}, tt.args...)...)
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			text := oneLine(t, res.stdout)
			if tt.wantName != "" {
				if !strings.HasPrefix(text, tt.wantName+"=") {
					t.Fatalf("want a %s= prefix", tt.wantName)
				}
			} else if strings.Contains(text, "=") {
				t.Fatal("bare output has a NAME= prefix")
			}
			nr := mustRing(t, text)
			if nr.Len() != 2 || nr.Keys()[1].ID() != tt.wantOld.Primary().ID() {
				t.Fatalf("rotated the wrong ring: %v", nr)
			}
		})
	}
}

func TestSigningPairs(t *testing.T) {
	for _, s := range []keys.Scheme{ed448.Scheme(), ed25519.Scheme()} {
		t.Run(s.Name(), func(t *testing.T) {
			res := keygen(t, "", nil, s.Name(), "-n", "2")
			if res.code != 0 || res.stderr != "" {
				t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
			}
			lines := oneLineN(t, res.stdout, 2)
			priv, ok1 := strings.CutPrefix(lines[0], "SESSION_SIGNING_KEYS=")
			pub, ok2 := strings.CutPrefix(lines[1], "SESSION_PUBLIC_KEYS=")
			if !ok1 || !ok2 {
				t.Fatal("lines are not labelled SESSION_SIGNING_KEYS= and SESSION_PUBLIC_KEYS=")
			}
			pr, err := keys.ParsePrivateRing(s, priv)
			if err != nil {
				t.Fatalf("private ring: %v", err)
			}
			if pr.Len() != 2 {
				t.Fatalf("private ring has %d keys, want 2", pr.Len())
			}
			if _, err := keys.ParsePublicRing(s, pub); err != nil {
				t.Fatalf("public ring: %v", err)
			}
			if pub != pr.Public().Export() {
				t.Fatal("public ring is not the private ring's public half")
			}
			if strings.Contains(pub, "private") {
				t.Fatal("public line holds private keys")
			}

			named := keygen(t, "", nil, s.Name(), "-name", "ORIGIN", "-public-name", "EDGE")
			lines = oneLineN(t, named.stdout, 2)
			if !strings.HasPrefix(lines[0], "ORIGIN="+s.Name()+"-private:") || !strings.HasPrefix(lines[1], "EDGE="+s.Name()+"-public:") {
				t.Fatal("-name and -public-name not applied")
			}
		})
	}
}

func TestRotateSigning(t *testing.T) {
	for _, s := range []keys.Scheme{ed448.Scheme(), ed25519.Scheme()} {
		t.Run(s.Name(), func(t *testing.T) {
			gen := oneLineN(t, keygen(t, "", nil, s.Name(), "-n", "3").stdout, 2)
			old, err := keys.ParsePrivateRing(s, gen[0])
			if err != nil {
				t.Fatal(err)
			}
			res := keygen(t, "", []string{gen[0]}, "rotate", "-name", "SESSION_SIGNING_KEYS", "-keep", "1")
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			lines := oneLineN(t, res.stdout, 2)
			nr, err := keys.ParsePrivateRing(s, lines[0])
			if err != nil {
				t.Fatalf("new private ring: %v", err)
			}
			if !strings.HasPrefix(lines[0], "SESSION_SIGNING_KEYS=") || !strings.HasPrefix(lines[1], "SESSION_PUBLIC_KEYS=") {
				t.Fatal("rotated signing rings are not labelled")
			}
			if nr.Len() != 2 || nr.Keys()[1].ID() != old.Primary().ID() {
				t.Fatalf("want new primary + old primary, got %v", nr)
			}
			if _, _, ok := old.Public().Lookup(nr.Primary().ID()); ok {
				t.Fatal("new primary is an old key")
			}
			if strings.TrimPrefix(lines[1], "SESSION_PUBLIC_KEYS=") != nr.Public().Export() {
				t.Fatal("public line does not match the new private ring")
			}
		})
	}
}

func TestDerive(t *testing.T) {
	const pass, ctx = "correct horse battery staple", "example.com sessions"
	want, err := keys.FromPassphrase([]byte(pass), ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, stdin := range []string{pass, pass + "\n", pass + "\r\n"} {
		res := keygen(t, stdin, nil, "derive", "-context", ctx)
		if res.code != 0 {
			t.Fatalf("exit %d: %s", res.code, res.stderr)
		}
		if got := oneLine(t, res.stdout); got != want.Export() {
			t.Fatalf("stdin %q: derived key differs from keys.FromPassphrase", strings.ReplaceAll(stdin, pass, "<pass>"))
		}
	}
	named := keygen(t, pass, nil, "derive", "-context", ctx, "-name", "SESSION_KEYS")
	if oneLine(t, named.stdout) != "SESSION_KEYS="+want.Export() {
		t.Fatal("-name not applied to derive")
	}
}

func TestDeriveRefusesArgv(t *testing.T) {
	const secret = "hunter2-but-much-longer"
	tests := [][]string{
		{"derive", "-context", "app", secret},
		{"derive", secret, "-context", "app"},
		{"derive", "-context", "app", "--", secret},
		{"derive", "-passphrase", secret, "-context", "app"},
	}
	for _, args := range tests {
		// Stdin holds a valid passphrase: the refusal must come from the
		// argument, not from a missing passphrase.
		res := keygen(t, "a perfectly long passphrase", nil, args...)
		if res.code != 2 {
			t.Fatalf("%d: exit %d, want 2", len(args), res.code)
		}
		if strings.Contains(res.stdout+res.stderr, secret) {
			t.Fatal("the argv passphrase was echoed")
		}
		if res.stdout != "" {
			t.Fatal("refused derive printed to stdout")
		}
	}
}

func TestDeriveShortPassphraseNotEchoed(t *testing.T) {
	res := keygen(t, "tiny-secret", nil, "derive", "-context", "app")
	if res.code != 1 || strings.Contains(res.stderr, "tiny-secret") || res.stdout != "" {
		t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
	}
}

func checkOutput(t *testing.T, out, wantKind string, want []keys.ID) {
	t.Helper()
	lines := oneLineN(t, out, len(want)+1)
	plural := "s"
	if len(want) == 1 {
		plural = ""
	}
	if head := fmt.Sprintf("%s ring: %d key%s", wantKind, len(want), plural); lines[0] != head {
		t.Fatalf("first line %q, want %q", lines[0], head)
	}
	for i, id := range want {
		w := id.String()
		if i == 0 {
			w += " primary"
		}
		if lines[i+1] != w {
			t.Fatalf("line %d is %q, want %q", i+2, lines[i+1], w)
		}
	}
}

func TestCheck(t *testing.T) {
	sym := newRing(t, 3)
	symIDs := ids(mustRing(t, sym.Export())) // the IDs keys.ParseRing gives
	edGen := oneLineN(t, keygen(t, "", nil, "ed448", "-n", "2").stdout, 2)
	edPriv, err := keys.ParsePrivateRing(ed448.Scheme(), edGen[0])
	if err != nil {
		t.Fatal(err)
	}
	var edIDs []keys.ID
	for _, k := range edPriv.Keys() {
		edIDs = append(edIDs, k.ID())
	}
	e2Gen := oneLineN(t, keygen(t, "", nil, "ed25519").stdout, 2)
	e2Priv, err := keys.ParsePrivateRing(ed25519.Scheme(), e2Gen[0])
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		stdin string
		env   []string
		args  []string
		kind  string
		ids   []keys.ID
	}{
		{"symmetric stdin", sym.Export(), nil, nil, "symmetric", symIDs},
		{"symmetric env", "", []string{"SESSION_KEYS=" + sym.Export()}, nil, "symmetric", symIDs},
		{"symmetric flag", "", nil, []string{"-ring", sym.Export()}, "symmetric", symIDs},
		{"symmetric named env", "", []string{"TEST_RING=" + sym.Export()}, []string{"-name", "TEST_RING"}, "symmetric", symIDs},
		{"ed448 private", edGen[0], nil, nil, "ed448 private", edIDs},
		{"ed448 public", edGen[1], nil, nil, "ed448 public", edIDs},
		{"ed25519 private", e2Gen[0], nil, nil, "ed25519 private", []keys.ID{e2Priv.Primary().ID()}},
		{"ed25519 public", e2Gen[1], nil, nil, "ed25519 public", []keys.ID{e2Priv.Primary().ID()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := keygen(t, tt.stdin, tt.env, append([]string{"check"}, tt.args...)...)
			if res.code != 0 {
				t.Fatalf("exit %d: %s", res.code, res.stderr)
			}
			checkOutput(t, res.stdout, tt.kind, tt.ids)
			for _, f := range strings.FieldsFunc(tt.stdin+strings.Join(tt.env, ",")+strings.Join(tt.args, ","), func(r rune) bool { return r == ',' || r == '\n' || r == '=' || r == ':' }) {
				if len(f) >= 40 && strings.Contains(res.stdout+res.stderr, f) {
					t.Fatal("check printed key material")
				}
			}
		})
	}
}

// TestErrorsNeverEchoKeys feeds rings that are wrong in every way keygen
// reports and checks that no key text reaches stdout or stderr.
func TestErrorsNeverEchoKeys(t *testing.T) {
	good := newRing(t, 2).Export()
	goodKeys := strings.Split(good, ",")
	ed := oneLineN(t, keygen(t, "", nil, "ed448").stdout, 2)
	edPriv := strings.TrimPrefix(ed[0], "SESSION_SIGNING_KEYS=")
	edPub := strings.TrimPrefix(ed[1], "SESSION_PUBLIC_KEYS=")
	const shortKey = "c2VjcmV0LW1hcmtlci1zaG9ydA" // 19 bytes: a well-formed but short key
	const notB64 = "SECRET!MARKER!NOT!BASE64!xxxxxxxxxxxxxxxxx"
	tests := []struct {
		name string
		ring string
	}{
		{"short key after good", good + "," + shortKey},
		{"not base64", goodKeys[0] + "," + notB64},
		{"duplicate", goodKeys[0] + "," + goodKeys[1] + "," + goodKeys[0]},
		{"weak key", goodKeys[0] + ",AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{"private then public", edPriv + "," + edPub},
		{"private then symmetric", edPriv + "," + goodKeys[0]},
		{"public then private", edPub + "," + edPriv},
		{"symmetric then private", goodKeys[0] + "," + edPriv},
		{"truncated private", edPriv[:len(edPriv)-8]},
	}
	for _, tt := range tests {
		for _, cmd := range []string{"check", "rotate"} {
			t.Run(cmd+"/"+tt.name, func(t *testing.T) {
				for _, src := range []struct {
					stdin string
					env   []string
					args  []string
				}{
					{tt.ring, nil, nil},
					{"", []string{"SESSION_KEYS=" + tt.ring}, nil},
					{"", nil, []string{"-ring", tt.ring}},
				} {
					res := keygen(t, src.stdin, src.env, append([]string{cmd}, src.args...)...)
					if res.code != 1 {
						t.Fatalf("exit %d, want 1 (stderr %q)", res.code, res.stderr)
					}
					if res.stdout != "" {
						t.Fatal("a failed command printed to stdout")
					}
					if !strings.Contains(res.stderr, "invalid ring") && !strings.Contains(res.stderr, "public ring cannot be rotated") {
						t.Fatalf("message does not say the ring is invalid: %q", res.stderr)
					}
					all := res.stderr
					for _, f := range strings.FieldsFunc(tt.ring, func(r rune) bool { return r == ',' || r == ':' }) {
						if len(f) >= 16 && strings.Contains(all, f) {
							t.Fatalf("key text leaked into the message %q", all)
						}
					}
					for _, marker := range []string{"SECRET", "c2VjcmV0", "AAAAAAAAAAAA"} {
						if strings.Contains(all, marker) {
							t.Fatalf("key text leaked into the message %q", all)
						}
					}
				}
			})
		}
	}
}

// A ring pasted into the wrong flag (keygen rotate -keep "$RING") must
// not come back in the error: the flag package's own messages quote the
// value they could not parse.
func TestFlagErrorsNeverEchoValues(t *testing.T) {
	ring := newRing(t, 2).Export()
	key := strings.Split(ring, ",")[0]
	tests := []struct {
		name     string
		args     []string
		mentions string
	}{
		{"ring as a number", []string{"rotate", "-keep", ring}, "-keep"},
		{"ring as a number after =", []string{"rotate", "-keep=" + ring}, "-keep"},
		{"ring as the key count", []string{"-n", ring}, "-n"},
		{"key as a flag name", []string{"check", "-" + key}, "unknown flag"},
		{"key as a flag name and value", []string{"check", "-" + key + "=" + key}, "unknown flag"},
		{"key after three dashes", []string{"rotate", "---" + key}, "bad flag syntax"},
		{"missing value", []string{"rotate", "-ring"}, "-ring needs a value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := keygen(t, "", nil, tt.args...)
			if res.code != 2 {
				t.Fatalf("exit %d, want 2 (usage)", res.code)
			}
			if res.stdout != "" {
				t.Fatal("a failed command printed to stdout")
			}
			if strings.Contains(res.stderr, key[:16]) {
				t.Fatalf("key text leaked into the message %q", res.stderr)
			}
			if !strings.Contains(res.stderr, tt.mentions) {
				t.Fatalf("message %q does not say %q", res.stderr, tt.mentions)
			}
		})
	}
}
