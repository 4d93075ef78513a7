package encrypted_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/internal/vectors"
	"github.com/crumbkit/crumb/keys"
)

var (
	t0 = time.Unix(1767225600, 0)
	t1 = t0.Add(time.Hour)
)

func clock(t time.Time) crumb.Option { return crumb.WithClock(func() time.Time { return t }) }

func material(label string, i, n int) []byte {
	s := sha512.Sum512([]byte("encrypted test " + label + strconv.Itoa(i)))
	return s[:n]
}

func ring(t testing.TB, idx ...int) *keys.Ring {
	t.Helper()
	ks := make([]keys.Key, len(idx))
	for i, j := range idx {
		k, err := keys.NewKey(material("sym", j, 32))
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

// TestLayout rebuilds a value from docs/FORMAT.md with the standard
// library alone: the per-value key from the salt, then AES-256-GCM with
// the context and header as associated data.
func TestLayout(t *testing.T) {
	r := ring(t, 1)
	rnd := material("rand", 1, 24)
	payload := []byte(`{"uid":7,"email":"a@example.com"}`)
	v, err := encrypted.New(r, clock(t0), crumb.WithRand(bytes.NewReader(rnd))).Seal("sid", payload, t1)
	if err != nil {
		t.Fatal(err)
	}
	salt, nonce := rnd[:12], rnd[12:]

	// Header.
	h := make([]byte, 17)
	h[0] = 0x05
	binary.BigEndian.PutUint32(h[1:], uint32(r.Primary().ID()))
	tag := uint32(2166136261)
	for _, c := range []byte("sid") {
		tag = (tag ^ uint32(c)) * 16777619
	}
	binary.BigEndian.PutUint32(h[5:], tag)
	binary.BigEndian.PutUint32(h[9:], uint32(t0.Unix()))
	binary.BigEndian.PutUint32(h[13:], uint32(t1.Unix()))

	// Per-value key: first 8 bytes of AES-256(K_enc, salt || BE32(i)),
	// i = 1..4, where K_enc = HKDF(ring key, info=PurposeAESGCM).
	kdk, _ := aes.NewCipher(r.Primary().Derive(keys.PurposeAESGCM))
	var sub []byte
	for i := uint32(1); i <= 4; i++ {
		in := append(bytes.Clone(salt), 0, 0, 0, 0)
		binary.BigEndian.PutUint32(in[12:], i)
		out := make([]byte, 16)
		kdk.Encrypt(out, in)
		sub = append(sub, out[:8]...)
	}
	block, _ := aes.NewCipher(sub)
	gcm, _ := cipher.NewGCM(block)
	label := "crumb/v1/encrypted/aes-256-gcm"
	ad := append([]byte(label), 0, 0, 3)
	ad = append(append(ad, "sid"...), h...)
	want := append(append(append(bytes.Clone(h), salt...), nonce...), gcm.Seal(nil, nonce, payload, ad)...)
	if got := base64.RawURLEncoding.EncodeToString(want); v != got {
		t.Errorf("Seal = %s\nwant   %s", v, got)
	}
	if encrypted.Label != keys.PurposeAESGCM {
		t.Error("label and purpose differ; FORMAT.md says they are the same string")
	}
	// Nothing of the payload is visible.
	if strings.Contains(string(want), "example.com") {
		t.Error("plaintext visible")
	}
	if len(want) != 17+24+len(payload)+16 {
		t.Errorf("overhead %d bytes, want 57", len(want)-len(payload))
	}
}

func TestFreshRandomness(t *testing.T) {
	s := encrypted.New(ring(t, 1), clock(t0))
	seen := map[string]bool{}
	for range 100 {
		v, err := s.Seal("sid", []byte("same"), t1)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := base64.RawURLEncoding.DecodeString(v)
		if seen[string(raw[17:41])] {
			t.Fatal("salt and nonce repeated")
		}
		seen[string(raw[17:41])] = true
	}
	// A failing randomness source fails the seal rather than reusing
	// a nonce.
	bad := encrypted.New(ring(t, 1), clock(t0), crumb.WithRand(io.LimitReader(bytes.NewReader(make([]byte, 100)), 10)))
	if v, err := bad.Seal("sid", []byte("x"), t1); err == nil || v != "" {
		t.Errorf("Seal with short randomness = %q, %v", v, err)
	}
}

// TestSaltSelectsKey: the same nonce under two salts gives unrelated
// ciphertexts, and swapping one value's salt into another fails.
func TestSaltSelectsKey(t *testing.T) {
	r := ring(t, 1)
	nonce := material("nonce", 1, 12)
	seal := func(salt []byte) []byte {
		rnd := append(bytes.Clone(salt), nonce...)
		v, err := encrypted.New(r, clock(t0), crumb.WithRand(bytes.NewReader(rnd))).Seal("sid", []byte("payload!"), t1)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := base64.RawURLEncoding.DecodeString(v)
		return raw
	}
	a, b := seal(material("salt", 1, 12)), seal(material("salt", 2, 12))
	if bytes.Equal(a[41:], b[41:]) {
		t.Fatal("different salts, same ciphertext")
	}
	copy(a[17:29], b[17:29])
	if _, err := encrypted.New(r, clock(t0)).Open("sid", base64.RawURLEncoding.EncodeToString(a)); !errors.Is(err, crumb.ErrInvalid) {
		t.Errorf("salt swapped: err = %v, want ErrInvalid", err)
	}
}

func TestConcurrent(t *testing.T) {
	vectors.Concurrent(t, encrypted.New(ring(t, 1, 2), clock(t0)), t1, 50)
}

// TestAllocs holds the sealer to at most 4 allocations per Seal and per
// Open (the target for the sealer layer itself, docs/benchmarks.md).
func TestAllocs(t *testing.T) {
	vectors.AllocsAtMost(t, "aes-gcm", encrypted.New(ring(t, 1), clock(t0)), t1, 4)
}
