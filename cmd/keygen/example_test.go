package main

import (
	"io"
	"os"
	"strings"
)

// Example_check validates the ring in $SESSION_KEYS and lists its key
// IDs, primary first, as `keygen check` does. The keys themselves never
// appear in the output.
func Example_check() {
	ring := "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8,ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8"
	run([]string{"check"}, env{
		stdin:  strings.NewReader(""),
		stdout: os.Stdout,
		stderr: io.Discard,
		getenv: func(name string) string {
			if name == "SESSION_KEYS" {
				return ring
			}
			return ""
		},
		isTTY: func() bool { return false },
	})
	// Output:
	// symmetric ring: 2 keys
	// 1ea70838 primary
	// b2af86a9
}
