package signed_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strconv"
	"testing"
	"time"

	circl "github.com/cloudflare/circl/sign/ed448"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/internal/vectors"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/keys/ed25519"
	"github.com/crumbkit/crumb/keys/ed448"
	"github.com/crumbkit/crumb/signed"
)

var (
	t0 = time.Unix(1767225600, 0)
	t1 = t0.Add(time.Hour)
)

func clock(t time.Time) crumb.Option { return crumb.WithClock(func() time.Time { return t }) }

func material(label string, i, n int) []byte {
	s := sha512.Sum512([]byte("signed test " + label + strconv.Itoa(i)))
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

func privRing(t testing.TB, s keys.Scheme, idx ...int) *keys.PrivateRing {
	t.Helper()
	ks := make([]keys.PrivateKey, len(idx))
	for i, j := range idx {
		k, err := keys.NewPrivateKey(s, material(s.Name(), j, s.SeedSize()))
		if err != nil {
			t.Fatal(err)
		}
		ks[i] = k
	}
	r, err := keys.NewPrivateRing(ks...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// context is the authentication context of FORMAT.md, built here from
// its definition rather than through internal/wire.
func context(label, name string) []byte {
	b := append([]byte(label), 0, byte(len(name)>>8), byte(len(name)))
	return append(b, name...)
}

func header(format byte, id keys.ID, name string, iat, exp time.Time) []byte {
	h := make([]byte, 17)
	h[0] = format
	binary.BigEndian.PutUint32(h[1:], uint32(id))
	tag := uint32(2166136261)
	for i := 0; i < len(name); i++ {
		tag = (tag ^ uint32(name[i])) * 16777619
	}
	binary.BigEndian.PutUint32(h[5:], tag)
	binary.BigEndian.PutUint32(h[9:], uint32(iat.Unix()))
	binary.BigEndian.PutUint32(h[13:], uint32(exp.Unix()))
	return h
}

// TestHMACLayout rebuilds an HMAC value from FORMAT.md by hand.
func TestHMACLayout(t *testing.T) {
	r := ring(t, 1)
	payload := []byte(`{"uid":7}`)
	v, err := signed.New(r, clock(t0)).Seal("sid", payload, t1)
	if err != nil {
		t.Fatal(err)
	}
	body := append(header(0x02, r.Primary().ID(), "sid", t0, t1), payload...)
	mac := hmac.New(sha256.New, r.Primary().Derive(keys.PurposeHMAC))
	mac.Write(context("crumb/v1/signed/hmac-sha256", "sid"))
	mac.Write(body)
	if want := base64.RawURLEncoding.EncodeToString(mac.Sum(body)); v != want {
		t.Errorf("Seal = %s\nwant   %s", v, want)
	}
	if signed.LabelHMAC != keys.PurposeHMAC {
		t.Error("label and purpose differ; FORMAT.md says they are the same string")
	}
}

// TestPublicLayout checks an Ed448 value against circl directly, and an
// Ed25519 one against the standard library.
func TestPublicLayout(t *testing.T) {
	for _, s := range []keys.Scheme{ed448.Scheme(), ed25519.Scheme()} {
		pr := privRing(t, s, 1)
		payload := []byte(`{"uid":7}`)
		v, err := signed.NewPublic(pr, clock(t0)).Seal("sid", payload, t1)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := base64.RawURLEncoding.DecodeString(v)
		format := map[string]byte{"ed448": 0x03, "ed25519": 0x04}[s.Name()]
		body := append(header(format, pr.Primary().ID(), "sid", t0, t1), payload...)
		if !bytes.Equal(raw[:len(body)], body) || len(raw) != len(body)+s.SignatureSize() {
			t.Fatalf("%s: layout differs", s.Name())
		}
		msg := append(context("crumb/v1/signed/"+s.Name(), "sid"), body...)
		sig := raw[len(body):]
		pub := []byte(nil)
		if b, err := base64.RawURLEncoding.DecodeString(pr.Public().Export()[len(s.Name()+"-public:"):]); err == nil {
			pub = b
		}
		if s.Name() == "ed448" && !circl.Verify(circl.PublicKey(pub), msg, sig, "") {
			t.Error("ed448: circl does not verify the signature over context || header || payload with an empty context string")
		}
		if !pr.Primary().Public().Verify(msg, sig) {
			t.Errorf("%s: signature does not cover context || header || payload", s.Name())
		}
	}
}

func TestVerifyOnly(t *testing.T) {
	for _, s := range []keys.Scheme{ed448.Scheme(), ed25519.Scheme()} {
		pr := privRing(t, s, 1, 2)
		full := signed.NewPublic(pr, clock(t0))
		verifier := signed.NewVerifier(pr.Public(), clock(t0))
		if !full.CanSeal() || verifier.CanSeal() {
			t.Fatalf("%s: CanSeal = %v, %v", s.Name(), full.CanSeal(), verifier.CanSeal())
		}
		if _, err := verifier.Seal("sid", []byte("x"), t1); !errors.Is(err, signed.ErrVerifyOnly) {
			t.Errorf("%s: verifier Seal err = %v, want ErrVerifyOnly", s.Name(), err)
		}
		v, err := full.Seal("sid", []byte("x"), t1)
		if err != nil {
			t.Fatal(err)
		}
		o, err := verifier.Open("sid", v)
		if err != nil || string(o.Payload) != "x" || o.Rotated {
			t.Errorf("%s: verifier Open = %+v, %v", s.Name(), o, err)
		}
		// A verifier over a different ring does not know the key.
		if _, err := signed.NewVerifier(privRing(t, s, 3).Public(), clock(t0)).Open("sid", v); !errors.Is(err, crumb.ErrUnknownKey) {
			t.Errorf("%s: other ring: %v", s.Name(), err)
		}
	}
	// An Ed448 value is malformed to an Ed25519 verifier: the format
	// byte differs.
	v, _ := signed.NewPublic(privRing(t, ed448.Scheme(), 1), clock(t0)).Seal("sid", []byte("x"), t1)
	if _, err := signed.NewVerifier(privRing(t, ed25519.Scheme(), 1).Public(), clock(t0)).Open("sid", v); !errors.Is(err, crumb.ErrMalformed) {
		t.Errorf("ed448 value under ed25519: %v", err)
	}
}

// TestConcurrent seals and opens from many goroutines at once (run with
// -race): the pooled HMAC states must never be shared.
func TestConcurrent(t *testing.T) {
	vectors.Concurrent(t, signed.New(ring(t, 1, 2), clock(t0)), t1, 20)
	vectors.Concurrent(t, signed.NewPublic(privRing(t, ed448.Scheme(), 1), clock(t0)), t1, 20)
}

// TestAllocs holds the HMAC sealer to at most 4 allocations per Seal
// and per Open (the target for the sealer layer itself, docs/benchmarks.md).
func TestAllocs(t *testing.T) {
	vectors.AllocsAtMost(t, "hmac", signed.New(ring(t, 1), clock(t0)), t1, 4)
}
