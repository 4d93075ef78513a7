package main

import (
	"bytes"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/keys/ed25519"
	"github.com/crumbkit/crumb/keys/ed448"
)

// Exit codes, documented in the package comment and in -h.
const (
	exitOK    = 0
	exitInput = 1 // invalid input: a bad ring, a short passphrase, unreadable stdin
	exitUsage = 2 // bad flags or arguments
)

// Default environment variable names.
const (
	defaultName       = "SESSION_KEYS"
	defaultSigningVar = "SESSION_SIGNING_KEYS"
	defaultPublicVar  = "SESSION_PUBLIC_KEYS"
)

// maxInput bounds what keygen reads from stdin: a ring of a hundred keys
// is a few kilobytes, so anything near this is a mistake.
const maxInput = 64 << 10

// maxKeys bounds -n and -keep: rings are meant to hold a handful of keys.
const maxKeys = 100

func main() {
	os.Exit(run(os.Args[1:], env{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.Getenv,
		rand:   rand.Reader,
		isTTY:  stdinIsTerminal,
	}))
}

// env is everything run touches outside its arguments, so that tests can
// drive it in-process as well as through the built binary.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	rand           io.Reader
	isTTY          func() bool
}

func stdinIsTerminal() bool {
	fi, err := os.Stdin.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// exitError carries an exit code and a message that is safe to print:
// every message in this program is fixed text or names a position, never
// key or passphrase text.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func usageErr(msg string) error { return &exitError{exitUsage, msg} }
func inputErr(msg string) error { return &exitError{exitInput, msg} }

type command struct {
	name    string
	summary string
	usage   string // the synopsis line(s) after "usage: "
	about   string // paragraphs printed after the synopsis
	flags   func(fs *flag.FlagSet) func(env, []string) error
}

func commands() []*command {
	return []*command{
		{
			name:    "",
			summary: "print a fresh 32-byte key (or a ring of N keys)",
			usage:   "keygen [-n N] [-name VAR]",
			about: `Prints a fresh random 32-byte key in unpadded base64url, and nothing
else, so that this works:

  export SESSION_KEYS=$(keygen)

With -n N it prints a ring of N fresh keys on ONE line, separated by
commas (the text form keys.ParseRing reads); the first key is the
primary. With -name VAR it prints VAR=<ring> instead, for an env file.`,
			flags: genFlags,
		},
		{
			name:    "rotate",
			summary: "add a fresh primary key to a ring, keeping at most N old keys",
			usage:   "keygen rotate [-keep N] [-name VAR] [-public-name VAR] [-ring TEXT]",
			about: `Reads the current ring from -ring, else from the environment variable
named by -name (default SESSION_KEYS), else from stdin, and prints a new
ring: a fresh primary key followed by at most -keep of the old keys,
newest first. Values sealed under a dropped key no longer open.

A symmetric ring prints as one bare line (or VAR=<ring> when -name is
given), so this works:

  export SESSION_KEYS=$(keygen rotate)

A signing ring (ed448-private:... or ed25519-private:...) gets a fresh
key of its own scheme and prints as two lines, the private ring for the
origin and the public ring for verifiers:

  SESSION_SIGNING_KEYS=ed448-private:...   (name from -name)
  SESSION_PUBLIC_KEYS=ed448-public:...     (name from -public-name)

A public ring cannot be rotated: rotate its private ring instead.
Prefer the environment or stdin to -ring, which other users of the
machine can see in the process list.`,
			flags: rotateFlags,
		},
		{
			name:    "ed448",
			summary: "generate an Ed448 signing ring and its public ring (edge-safe)",
			usage:   "keygen ed448 [-n N] [-name VAR] [-public-name VAR]",
			about: `Generates N fresh Ed448 private keys (default 1) and prints two lines:

  SESSION_SIGNING_KEYS=ed448-private:...   the private ring: origin only
  SESSION_PUBLIC_KEYS=ed448-public:...     the public ring: verifiers

Ed448 is the scheme TinyGo-built edge workers can verify with.`,
			flags: signingFlags(ed448.Scheme),
		},
		{
			name:    "ed25519",
			summary: "generate an Ed25519 signing ring and its public ring",
			usage:   "keygen ed25519 [-n N] [-name VAR] [-public-name VAR]",
			about: `Generates N fresh Ed25519 private keys (default 1) and prints two lines:

  SESSION_SIGNING_KEYS=ed25519-private:...   the private ring: origin only
  SESSION_PUBLIC_KEYS=ed25519-public:...     the public ring: verifiers

Ed25519 signatures are shorter than Ed448's, but TinyGo cannot build
Ed25519 verification: use ed448 for edge workers built with TinyGo.`,
			flags: signingFlags(ed25519.Scheme),
		},
		{
			name:    "derive",
			summary: "derive a key from a passphrase read on stdin (Argon2id)",
			usage:   "keygen derive -context TEXT [-name VAR] < passphrase-file",
			about: `Reads a passphrase from stdin (one trailing newline is removed) and
prints the key keys.FromPassphrase derives from it with Argon2id
(3 passes, 64 MiB, 2 lanes). -context names the application, e.g.
"example.com sessions 2026": the same passphrase gives unrelated keys
under different contexts, and the same key everywhere under one.

The passphrase is never taken from the command line, where the process
list and shell history would show it. It must be at least 12 bytes.
A random key from plain keygen is always stronger; derive only where a
human-memorable secret is a requirement.

  read -rs PASS && printf '%s' "$PASS" | keygen derive -context "example.com"`,
			flags: deriveFlags,
		},
		{
			name:    "check",
			summary: "validate a ring and print its key IDs (never the keys)",
			usage:   "keygen check [-name VAR] [-ring TEXT]",
			about: `Reads a ring from -ring, else from the environment variable named by
-name (default SESSION_KEYS), else from stdin. Symmetric rings and
ed448/ed25519 private and public rings are recognised by their text.
On success prints, on stdout:

  <kind> ring: <count> key(s)
  <id> primary
  <id>
  ...

IDs are 8 hex digits, the ones sealed values carry; a private ring's
IDs equal those of its public ring. Key material is never printed, and
error messages name the position of a bad key, never its text.`,
			flags: checkFlags,
		},
	}
}

const exitCodesHelp = `
Exit status: 0 success; 1 invalid input (bad ring, short passphrase,
unreadable stdin); 2 usage error (unknown command or flag, bad value).
Output is written to stdout; diagnostics go to stderr.`

func findCommand(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

func mainUsage(w io.Writer) {
	fmt.Fprint(w, `keygen makes and checks crumb session keys.

usage:
  keygen [-n N] [-name VAR]        print a fresh key (or a ring of N keys)
  keygen <command> [flags]
  keygen help <command>            precise help for one command

commands:
`)
	for _, c := range commands() {
		if c.name != "" {
			fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
		}
	}
	fmt.Fprint(w, `
Typical use:
  export SESSION_KEYS=$(keygen)
  export SESSION_KEYS=$(keygen rotate -keep 2)
  keygen check
`)
	fmt.Fprintln(w, exitCodesHelp)
}

func run(args []string, e env) int {
	err := dispatch(args, e)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		fmt.Fprintln(e.stderr, "keygen: "+ee.msg)
		if ee.code == exitUsage {
			fmt.Fprintln(e.stderr, "run 'keygen -h' for usage")
		}
		return ee.code
	}
	fmt.Fprintln(e.stderr, "keygen: "+err.Error())
	return exitInput
}

func dispatch(args []string, e env) error {
	name := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" {
		if len(args) == 0 {
			mainUsage(e.stdout)
			return nil
		}
		c := findCommand(args[0])
		if c == nil || args[0] == "" {
			return usageErr("no command named " + strconv.Quote(args[0]))
		}
		printCommandUsage(e.stdout, c, nil)
		return nil
	}
	c := findCommand(name)
	if c == nil {
		return usageErr("no command named " + strconv.Quote(name))
	}
	fs := flag.NewFlagSet("keygen "+c.name, flag.ContinueOnError)
	// The flag package's own parse errors quote the value given, and a
	// value can be a ring pasted into the wrong flag (keygen rotate
	// -keep "$RING"): they are discarded, and flagErr says what went
	// wrong without repeating anything the user typed.
	fs.SetOutput(io.Discard)
	act := c.flags(fs)
	// Usage text goes to stdout when asked for with -h.
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			if c.name != "" {
				return usageErr(c.name + ": " + flagErr(fs, err))
			}
			return usageErr(flagErr(fs, err))
		}
		if name == "" {
			mainUsage(e.stdout)
		} else {
			printCommandUsage(e.stdout, c, fs)
		}
		return nil
	}
	return act(e, fs.Args())
}

func printCommandUsage(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n", c.usage, c.about)
	if fs == nil {
		fs = flag.NewFlagSet(c.name, flag.ContinueOnError)
		c.flags(fs)
	}
	fmt.Fprintln(w, "\nflags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprintln(w, exitCodesHelp)
}

// ---- flag helpers ----------------------------------------------------------

// flagErr describes a flag parse error by the flag's name alone. The
// flag package's message quotes the value (or, for an unknown flag, the
// text) the user typed, which may be key material.
func flagErr(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "invalid value "), strings.HasPrefix(msg, "invalid boolean value "):
		// "invalid value %q for flag -%s: %v" (booleans: "... for
		// -%s: %v"): the name follows the last " for flag -" or
		// " for -", and is checked against the defined flags so no
		// part of the quoted value can pass for it.
		for _, sep := range []string{" for flag -", " for -"} {
			if i := strings.LastIndex(msg, sep); i >= 0 {
				name, _, _ := strings.Cut(msg[i+len(sep):], ":")
				if f := fs.Lookup(name); f != nil {
					return "invalid value for -" + f.Name + " (the value is not repeated here)"
				}
			}
		}
		return "invalid flag value (the value is not repeated here)"
	case strings.HasPrefix(msg, "flag needs an argument: -"):
		if f := fs.Lookup(strings.TrimPrefix(msg, "flag needs an argument: -")); f != nil {
			return "flag -" + f.Name + " needs a value"
		}
	}
	return "unknown flag or bad flag syntax (the text is not repeated here)"
}

func countFlag(fs *flag.FlagSet, name string, def int, usage string) *int {
	return fs.Int(name, def, usage)
}

func checkCount(flagName string, n, min int) error {
	if n < min || n > maxKeys {
		return usageErr("-" + flagName + " must be between " + strconv.Itoa(min) + " and " + strconv.Itoa(maxKeys))
	}
	return nil
}

func checkEnvName(flagName, v string) error {
	if v == "" {
		return nil
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return usageErr("-" + flagName + " must be an environment variable name (letters, digits, _)")
		}
	}
	return nil
}

func noArgs(args []string) error {
	if len(args) > 0 {
		return usageErr("unexpected argument (position 1 after the flags); this command takes flags only")
	}
	return nil
}

func wasSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// line formats one output line, with a NAME= prefix when name is set.
func line(name, value string) string {
	if name == "" {
		return value + "\n"
	}
	return name + "=" + value + "\n"
}

// ---- keygen [-n N] [-name VAR] ----------------------------------------------

func genFlags(fs *flag.FlagSet) func(env, []string) error {
	n := countFlag(fs, "n", 1, "print a ring of `N` keys (1-100), on one line, comma-separated")
	name := fs.String("name", "", "print `VAR`=<ring> instead of the bare ring")
	return func(e env, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		if err := checkCount("n", *n, 1); err != nil {
			return err
		}
		if err := checkEnvName("name", *name); err != nil {
			return err
		}
		ks := make([]keys.Key, *n)
		for i := range ks {
			k, err := keys.Generate(e.rand)
			if err != nil {
				return inputErr("generating a key failed: " + err.Error())
			}
			ks[i] = k
		}
		r, err := keys.NewRing(ks...)
		if err != nil {
			return inputErr("building the ring failed: " + err.Error())
		}
		_, err = io.WriteString(e.stdout, line(*name, r.Export()))
		return err
	}
}

// ---- reading a ring ---------------------------------------------------------

// readRing returns ring text from the flag, else the environment
// variable, else stdin, and says on stderr where it came from, so a
// stale variable in the shell is not silently used.
func readRing(e env, flagText, varName string) (string, error) {
	if flagText != "" {
		return flagText, nil
	}
	if varName != "" {
		if v := e.getenv(varName); strings.TrimSpace(v) != "" {
			fmt.Fprintf(e.stderr, "keygen: reading the ring from $%s\n", varName)
			return v, nil
		}
	}
	if e.isTTY() {
		fmt.Fprintf(e.stderr, "keygen: $%s is not set; paste the ring, then press Ctrl-D\n", varName)
	}
	b, err := readLimited(e.stdin)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(string(b)) == "" {
		return "", inputErr("no ring given: use -ring, set $" + varName + ", or pipe the ring to stdin")
	}
	return string(b), nil
}

// readClassified is readRing followed by classify: what rotate and check
// both start with.
func readClassified(e env, flagText, varName string) (string, ringKind, keys.Scheme, error) {
	text, err := readRing(e, flagText, varName)
	if err != nil {
		return "", 0, nil, err
	}
	kind, scheme, err := classify(text)
	return text, kind, scheme, err
}

func readLimited(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, inputErr("reading stdin failed")
	}
	if len(b) > maxInput {
		return nil, inputErr("stdin is longer than 64 KiB")
	}
	return b, nil
}

type ringKind int

const (
	kindSymmetric ringKind = iota
	kindPrivate
	kindPublic
)

// classify tells a symmetric ring from a signing ring by the prefix of
// its first key ("ed448-private:" and so on), after an optional NAME=
// prefix as keys.ParseRing accepts it. It never looks past the first
// key: the parser reports a ring that mixes kinds.
func classify(text string) (ringKind, keys.Scheme, error) {
	fields := splitFields(text)
	if len(fields) == 0 {
		return kindSymmetric, nil, nil // the parser reports the empty ring
	}
	first := fields[0]
	tag, _, ok := strings.Cut(first, ":")
	if !ok {
		return kindSymmetric, nil, nil
	}
	scheme, kind, ok := strings.Cut(tag, "-")
	var s keys.Scheme
	switch scheme {
	case "ed448":
		s = ed448.Scheme()
	case "ed25519":
		s = ed25519.Scheme()
	}
	if !ok || s == nil || (kind != "private" && kind != "public") {
		return 0, nil, inputErr("invalid ring: key 1 has an unknown scheme prefix (want ed448- or ed25519-, private or public)")
	}
	if kind == "private" {
		return kindPrivate, s, nil
	}
	return kindPublic, s, nil
}

func isEnvName(s string) bool { return checkEnvName("", s) == nil }

// splitFields strips an optional NAME= prefix and splits a ring's text
// into its keys, as package keys does when it parses a ring.
func splitFields(text string) []string {
	text = strings.TrimSpace(text)
	if i := strings.IndexByte(text, '='); i > 0 && isEnvName(text[:i]) && strings.TrimRight(text[i:], "=") != "" {
		// A padded key ends in '='; a NAME= prefix is followed by more.
		text = text[i+1:]
	}
	return strings.FieldsFunc(text, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\n' || r == '\t' || r == '\r'
	})
}

// publicIDs returns the IDs of a public ring's keys in ring order.
// keys.PublicRing exposes no key list, so each entry of the (already
// validated) text is parsed as a ring of one.
func publicIDs(s keys.Scheme, text string) ([]keys.ID, error) {
	var ids []keys.ID
	for i, f := range splitFields(text) {
		r, err := keys.ParsePublicRing(s, f)
		if err != nil {
			return nil, inputErr("invalid ring: key " + strconv.Itoa(i+1) + " did not parse on its own")
		}
		ids = append(ids, r.Primary().ID())
	}
	return ids, nil
}

// ---- rotate -----------------------------------------------------------------

func rotateFlags(fs *flag.FlagSet) func(env, []string) error {
	keep := countFlag(fs, "keep", 2, "keep at most `N` old keys after the new primary (0-100)")
	name := fs.String("name", defaultName, "read the ring from $`VAR` when -ring is empty; when set explicitly, also print VAR=<ring>\n(for a signing ring the private line is named VAR, default "+defaultSigningVar+")")
	pubName := fs.String("public-name", defaultPublicVar, "name `VAR` of the public-ring line printed for a signing ring")
	ring := fs.String("ring", "", "the current ring `TEXT` (visible in the process list: prefer the environment or stdin)")
	return func(e env, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		if err := checkCount("keep", *keep, 0); err != nil {
			return err
		}
		if err := checkEnvName("name", *name); err != nil {
			return err
		}
		if err := checkEnvName("public-name", *pubName); err != nil {
			return err
		}
		text, kind, scheme, err := readClassified(e, *ring, *name)
		if err != nil {
			return err
		}
		switch kind {
		case kindPublic:
			return inputErr("a public ring cannot be rotated: rotate the private ring it came from, then deploy the new public ring")
		case kindPrivate:
			old, err := keys.ParsePrivateRing(scheme, text)
			if err != nil {
				return inputErr("invalid ring: " + err.Error())
			}
			k, err := keys.GeneratePrivateKey(scheme, e.rand)
			if err != nil {
				return inputErr("generating a key failed: " + err.Error())
			}
			nr, err := old.Rotate(k, *keep)
			if err != nil {
				return inputErr("rotating failed: " + err.Error())
			}
			privName := defaultSigningVar
			if wasSet(fs, "name") {
				privName = *name
			}
			return writeSigning(e, nr, privName, *pubName)
		}
		old, err := keys.ParseRing(text)
		if err != nil {
			return inputErr("invalid ring: " + err.Error())
		}
		k, err := keys.Generate(e.rand)
		if err != nil {
			return inputErr("generating a key failed: " + err.Error())
		}
		nr, err := old.Rotate(k, *keep)
		if err != nil {
			return inputErr("rotating failed: " + err.Error())
		}
		out := "" // bare, for export SESSION_KEYS=$(keygen rotate)
		if wasSet(fs, "name") {
			out = *name
		}
		_, err = io.WriteString(e.stdout, line(out, nr.Export()))
		return err
	}
}

// ---- ed448, ed25519 ---------------------------------------------------------

func signingFlags(scheme func() keys.Scheme) func(fs *flag.FlagSet) func(env, []string) error {
	return func(fs *flag.FlagSet) func(env, []string) error {
		n := countFlag(fs, "n", 1, "number of keys in the rings, `N` (1-100)")
		name := fs.String("name", defaultSigningVar, "name `VAR` of the private-ring line")
		pubName := fs.String("public-name", defaultPublicVar, "name `VAR` of the public-ring line")
		return func(e env, args []string) error {
			if err := noArgs(args); err != nil {
				return err
			}
			if err := checkCount("n", *n, 1); err != nil {
				return err
			}
			if *name == "" || *pubName == "" {
				return usageErr("-name and -public-name must not be empty: the two lines need labels")
			}
			if err := checkEnvName("name", *name); err != nil {
				return err
			}
			if err := checkEnvName("public-name", *pubName); err != nil {
				return err
			}
			if *name == *pubName {
				return usageErr("-name and -public-name must differ")
			}
			s := scheme()
			ks := make([]keys.PrivateKey, *n)
			for i := range ks {
				k, err := keys.GeneratePrivateKey(s, e.rand)
				if err != nil {
					return inputErr("generating a key failed: " + err.Error())
				}
				ks[i] = k
			}
			r, err := keys.NewPrivateRing(ks...)
			if err != nil {
				return inputErr("building the ring failed: " + err.Error())
			}
			return writeSigning(e, r, *name, *pubName)
		}
	}
}

// writeSigning prints the private ring and then the public ring, each
// labelled, so neither can be mistaken for the other.
func writeSigning(e env, r *keys.PrivateRing, name, pubName string) error {
	_, err := io.WriteString(e.stdout, line(name, r.Export())+line(pubName, r.Public().Export()))
	return err
}

// ---- derive -----------------------------------------------------------------

func deriveFlags(fs *flag.FlagSet) func(env, []string) error {
	context := fs.String("context", "", "application `TEXT` the key is for, e.g. \"example.com sessions 2026\" (required)")
	name := fs.String("name", "", "print `VAR`=<key> instead of the bare key")
	return func(e env, args []string) error {
		if len(args) > 0 {
			// Never echo the argument: it is most likely the passphrase.
			return usageErr("derive takes no arguments: the passphrase is read from stdin, never from the command line")
		}
		if strings.TrimSpace(*context) == "" {
			return usageErr("derive needs -context, the application the key is for")
		}
		if err := checkEnvName("name", *name); err != nil {
			return err
		}
		if e.isTTY() {
			fmt.Fprintln(e.stderr, "keygen: type the passphrase, then Enter and Ctrl-D (it echoes: prefer piping it in)")
		}
		b, err := readLimited(e.stdin)
		if err != nil {
			return err
		}
		defer clear(b)
		pass := b
		if bytes.HasSuffix(pass, []byte("\n")) {
			pass = pass[:len(pass)-1]
			if bytes.HasSuffix(pass, []byte("\r")) {
				pass = pass[:len(pass)-1]
			}
		}
		if len(pass) == 0 {
			return inputErr("no passphrase on stdin")
		}
		k, err := keys.FromPassphrase(pass, *context)
		if err != nil {
			if errors.Is(err, keys.ErrPassphrase) {
				return inputErr("passphrase too short: it must be at least " + strconv.Itoa(keys.MinPassphraseLen) + " bytes")
			}
			return inputErr("deriving the key failed: " + err.Error())
		}
		_, err = io.WriteString(e.stdout, line(*name, k.Export()))
		return err
	}
}

// ---- check ------------------------------------------------------------------

func checkFlags(fs *flag.FlagSet) func(env, []string) error {
	name := fs.String("name", defaultName, "read the ring from $`VAR` when -ring is empty")
	ring := fs.String("ring", "", "the ring `TEXT` to check (visible in the process list: prefer the environment or stdin)")
	return func(e env, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		if err := checkEnvName("name", *name); err != nil {
			return err
		}
		text, kind, scheme, err := readClassified(e, *ring, *name)
		if err != nil {
			return err
		}
		var (
			label string
			ids   []keys.ID
		)
		switch kind {
		case kindSymmetric:
			r, err := keys.ParseRing(text)
			if err != nil {
				return inputErr("invalid ring: " + err.Error())
			}
			label = "symmetric"
			for _, k := range r.Keys() {
				ids = append(ids, k.ID())
			}
		case kindPrivate:
			r, err := keys.ParsePrivateRing(scheme, text)
			if err != nil {
				return inputErr("invalid ring: " + err.Error())
			}
			label = scheme.Name() + " private"
			for _, k := range r.Keys() {
				ids = append(ids, k.ID())
			}
		case kindPublic:
			r, err := keys.ParsePublicRing(scheme, text)
			if err != nil {
				return inputErr("invalid ring: " + err.Error())
			}
			label = scheme.Name() + " public"
			if ids, err = publicIDs(scheme, text); err != nil {
				return err
			}
			if len(ids) != r.Len() {
				return inputErr("invalid ring: could not list its key IDs")
			}
		}
		var b strings.Builder
		plural := "s"
		if len(ids) == 1 {
			plural = ""
		}
		fmt.Fprintf(&b, "%s ring: %d key%s\n", label, len(ids), plural)
		for i, id := range ids {
			if i == 0 {
				fmt.Fprintf(&b, "%s primary\n", id)
			} else {
				fmt.Fprintf(&b, "%s\n", id)
			}
		}
		_, err = io.WriteString(e.stdout, b.String())
		return err
	}
}
