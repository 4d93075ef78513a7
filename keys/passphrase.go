package keys

import (
	"errors"

	"golang.org/x/crypto/argon2"
)

// Argon2id cost parameters for FromPassphrase. They follow the second
// recommended setting of RFC 9106 (section 4): 3 passes over 64 MiB,
// with 2 lanes to match small serverless machines. One derivation takes
// a few hundred milliseconds and 64 MiB of memory, which is why it must
// run at load time, or offline with `keygen derive`, and never per
// request.
const (
	Argon2Time      = 3
	Argon2MemoryKiB = 64 * 1024
	Argon2Threads   = 2
)

// MinPassphraseLen is the shortest passphrase FromPassphrase accepts.
const MinPassphraseLen = 12

// ErrPassphrase is returned for a passphrase that is too short or a
// missing context.
var ErrPassphrase = errors.New("keys: passphrase shorter than 12 bytes or context empty")

// FromPassphrase derives a Key from a low-entropy passphrase with
// Argon2id. context names the application (for example
// "example.com sessions 2026"); it becomes the salt, so the same
// passphrase gives unrelated keys in different applications, and every
// instance of one application derives the same key without sharing
// anything but the passphrase.
//
// A random 32-byte key from Generate is always stronger; use this only
// where a human-memorable secret is a requirement.
func FromPassphrase(passphrase []byte, context string) (Key, error) {
	if len(passphrase) < MinPassphraseLen || context == "" {
		return Key{}, ErrPassphrase
	}
	salt := append([]byte("crumb/v1/passphrase\x00"), context...)
	b := argon2.IDKey(passphrase, salt, Argon2Time, Argon2MemoryKiB, Argon2Threads, KeySize)
	return NewKey(b)
}
