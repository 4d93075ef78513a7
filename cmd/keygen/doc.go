// Command keygen makes, rotates and checks crumb session keys.
//
// Its output is built for shell substitution: a command that produces a
// key or ring prints it on stdout and nothing else, and every
// diagnostic goes to stderr, so
//
//	export SESSION_KEYS=$(keygen)
//
// just works.
//
// Usage:
//
//	keygen [-n N] [-name VAR]
//	    A fresh 32-byte key in unpadded base64url. -n N prints a ring of
//	    N keys on one line, comma-separated (the text form keys.ParseRing
//	    reads). -name VAR prints VAR=<ring>.
//	keygen rotate [-keep N] [-name VAR] [-public-name VAR] [-ring TEXT]
//	    Reads the ring from -ring, else $VAR (default SESSION_KEYS), else
//	    stdin, and prints a fresh primary followed by at most N old keys
//	    (default 2). A symmetric ring prints as one bare line (VAR=... if
//	    -name is given); an ed448 or ed25519 private ring rotates within
//	    its scheme and prints two lines, the private ring and the public
//	    ring.
//	keygen ed448 [-n N] [-name VAR] [-public-name VAR]
//	keygen ed25519 [-n N] [-name VAR] [-public-name VAR]
//	    A signing ring as two lines: SESSION_SIGNING_KEYS=<private ring>
//	    for the origin and SESSION_PUBLIC_KEYS=<public ring> for
//	    verifiers such as edge workers. Ed448 is the TinyGo-safe scheme.
//	keygen derive -context TEXT [-name VAR]
//	    Derives a key with Argon2id (keys.FromPassphrase) from a
//	    passphrase read on stdin.
//	keygen check [-name VAR] [-ring TEXT]
//	    Validates a symmetric, private or public ring and prints its kind,
//	    its size and its key IDs, primary first.
//	keygen help [command]
//	    Precise help; so does -h after any command.
//
// Exit status: 0 on success, 1 on invalid input (a bad ring, a short
// passphrase, unreadable stdin), 2 on a usage error (unknown command or
// flag, bad flag value, stray argument).
//
// Security contract:
//   - Key material is printed only as the output of the command that
//     was asked for it. check prints key IDs, never keys, and no error
//     message ever contains key or passphrase text: errors name the
//     position of a bad key in the ring instead.
//   - derive never takes the passphrase from the command line, where the
//     process list and shell history would keep it; a stray argument is
//     refused without being echoed.
//   - -ring exists for scripts, but the environment or stdin is
//     preferred, since arguments are visible to other local users.
//   - Keys come from crypto/rand.
package main
