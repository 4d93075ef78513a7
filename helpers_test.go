package crumb_test

import (
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/internal/vectors"
	"github.com/crumbkit/crumb/keys"
)

// Fixed times for tests and vectors: 2026-01-01T00:00:00Z and one hour
// later.
const (
	t0   = int64(1767225600)
	t1   = t0 + 3600
	skew = int64(30)
)

// seedBytes returns n deterministic bytes for fixture key i: tests and
// vectors must be reproducible, and the bytes must look random enough
// for keys.NewKey's variety check.
func seedBytes(label string, i, n int) []byte {
	s := sha512.Sum512([]byte("crumb test vector " + label + " " + strconv.Itoa(i)))
	return s[:n]
}

func symKey(t testing.TB, i int) keys.Key {
	t.Helper()
	k, err := keys.NewKey(seedBytes("symmetric", i, keys.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func privKey(t testing.TB, sealer string, i int) keys.PrivateKey {
	t.Helper()
	s := vectors.Scheme(sealer)
	k, err := keys.NewPrivateKey(s, seedBytes(sealer, i, s.SeedSize()))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// ringText returns the text of the ring of fixture keys idx (first is
// primary) for sealer: private says whether a public-key sealer gets
// its private ring (to seal) or its public ring (to open).
func ringText(t testing.TB, sealer string, private bool, idx ...int) string {
	t.Helper()
	switch sealer {
	case vectors.Unsigned:
		return ""
	case vectors.HMAC, vectors.AESGCM:
		parts := make([]string, len(idx))
		for i, j := range idx {
			parts[i] = symKey(t, j).Export()
		}
		return strings.Join(parts, ",")
	}
	ks := make([]keys.PrivateKey, len(idx))
	for i, j := range idx {
		ks[i] = privKey(t, sealer, j)
	}
	r, err := keys.NewPrivateRing(ks...)
	if err != nil {
		t.Fatal(err)
	}
	if private {
		return r.Export()
	}
	return r.Public().Export()
}

// randFor is the randomness a sealer reads for one value: 24 bytes for
// aes-gcm (salt, nonce), none for the others.
func randFor(sealer string, i int) []byte {
	if sealer != vectors.AESGCM {
		return nil
	}
	return seedBytes("rand", i, 24)
}

// sealWith seals payload for name under fixture keys idx at iat.
func sealWith(t testing.TB, sealer string, idx []int, name string, payload []byte, iat, exp int64, rnd []byte) string {
	t.Helper()
	s, err := vectors.NewSealer(sealer, ringText(t, sealer, true, idx...), iat, rnd)
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.Seal(name, payload, unix(exp))
	if err != nil {
		t.Fatalf("%s: Seal: %v", sealer, err)
	}
	return v
}

// opener returns a sealer that opens with fixture keys idx (public ring
// for public-key sealers) at openAt.
func opener(t testing.TB, sealer string, idx []int, openAt, skew int64, opts ...int) crumb.Sealer {
	t.Helper()
	maxLen := 0
	if len(opts) > 0 {
		maxLen = opts[0]
	}
	s, err := vectors.NewOpener(sealer, ringText(t, sealer, false, idx...), openAt, skew, maxLen)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var b64 = base64.RawURLEncoding

func decodeValue(t testing.TB, v string) []byte {
	t.Helper()
	b, err := b64.DecodeString(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// assertNoLeak fails if err's message contains any 12-byte stretch of
// one of the secrets (a cookie value, key text). Messages are short
// fixed phrases with spaces, so no honest message shares 12 bytes with
// base64 text.
func assertNoLeak(t testing.TB, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	for _, s := range secrets {
		for i := 0; i+12 <= len(msg); i++ {
			if strings.Contains(s, msg[i:i+12]) {
				t.Fatalf("error %q quotes a secret or the cookie value", msg)
			}
		}
		if len(s) >= 12 && strings.Contains(msg, s) {
			t.Fatalf("error quotes a secret")
		}
	}
}

func hexOf(b []byte) string { return hex.EncodeToString(b) }

func unix(s int64) time.Time { return time.Unix(s, 0) }
