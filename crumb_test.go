package crumb_test

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/internal/vectors"
)

// These tests run every property the Sealer contract promises over all
// five sealers; the sealer packages test their own specifics.

var samplePayload = []byte(`{"uid":42,"role":"admin"}`)

func TestRoundTrip(t *testing.T) {
	payloads := map[string][]byte{
		"json":   samplePayload,
		"empty":  {},
		"binary": {0, 1, 2, 0xfe, 0xff, '\n', '"'},
		"4KiB":   bytes.Repeat([]byte("x"), 4096),
	}
	for _, sealer := range vectors.Sealers {
		for pname, p := range payloads {
			if sealer == vectors.Unsigned && (pname == "binary" || pname == "empty") {
				continue // the vectors' unsigned validator wants JSON
			}
			if sealer == vectors.Unsigned && pname == "4KiB" {
				p = []byte(`"` + strings.Repeat("x", 4094) + `"`)
			}
			t.Run(sealer+"/"+pname, func(t *testing.T) {
				v := sealWith(t, sealer, []int{1}, "sid", p, t0, t1, randFor(sealer, 1))
				o, err := opener(t, sealer, []int{1}, t0+10, skew).Open("sid", v)
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				if !bytes.Equal(o.Payload, p) {
					t.Errorf("payload = %q, want %q", o.Payload, p)
				}
				if !o.IssuedAt.Equal(unix(t0)) || !o.Expires.Equal(unix(t1)) || o.Rotated {
					t.Errorf("Opened = %v %v %v", o.IssuedAt, o.Expires, o.Rotated)
				}
				if o.IssuedAt.Location() != time.UTC {
					t.Errorf("IssuedAt not in UTC")
				}
				if strings.ContainsAny(v, "=+/") {
					t.Errorf("value %q is not unpadded base64url", v)
				}
			})
		}
	}
}

// region says what a bit flip at byte offset i of a sealed value of
// sealer must give, as a vectors error name; "" means the flip may be
// accepted (unsigned data has no integrity).
func region(sealer string, i int) string {
	switch {
	case i == 0:
		return "malformed"
	case i < 5:
		if sealer == vectors.Unsigned {
			return "malformed"
		}
		return "unknown_key"
	case i < 9:
		return "wrong_name"
	case sealer == vectors.Unsigned:
		return ""
	}
	return "invalid"
}

// TestEveryBitFlip flips every bit of a sealed value, in its decoded
// bytes and in its base64 text, and requires each to fail with the
// error its field implies.
func TestEveryBitFlip(t *testing.T) {
	for _, sealer := range vectors.Sealers {
		t.Run(sealer, func(t *testing.T) {
			t.Parallel()
			v := sealWith(t, sealer, []int{1}, "sid", samplePayload, t0, t1, randFor(sealer, 1))
			o := opener(t, sealer, []int{1}, t0, skew)
			raw := decodeValue(t, v)
			flipped := 0
			for i := range raw {
				for bit := 0; bit < 8; bit++ {
					b := bytes.Clone(raw)
					b[i] ^= 1 << bit
					fv := b64.EncodeToString(b)
					got, err := o.Open("sid", fv)
					want := region(sealer, i)
					if want == "" {
						// Unsigned times and payload are the client's to
						// change: a flip opens only as what it now says.
						if err == nil && bytes.Equal(got.Payload, samplePayload) && got.Expires.Equal(unix(t1)) && got.IssuedAt.Equal(unix(t0)) {
							t.Fatalf("byte %d bit %d: flip opened as the original", i, bit)
						}
						continue
					}
					if name := vectors.ErrorName(err); name != want {
						t.Fatalf("byte %d bit %d: err = %v, want %s", i, bit, err, want)
					}
					assertNoLeak(t, err, fv)
					flipped++
				}
			}
			// The base64 text: every flip of every character must fail,
			// whether it leaves the alphabet or changes the bytes.
			for i := range len(v) {
				if sealer == vectors.Unsigned && i >= 12 {
					break // characters past byte 8 carry unauthenticated data
				}
				for bit := 0; bit < 8; bit++ {
					b := []byte(v)
					b[i] ^= 1 << bit
					if _, err := o.Open("sid", string(b)); vectors.ErrorName(err) == "" {
						t.Fatalf("text char %d bit %d (%q->%q): err = %v, want a sentinel", i, bit, v[i], b[i], err)
					}
					flipped++
				}
			}
			if _, err := o.Open("sid", v); err != nil {
				t.Fatalf("the unflipped value fails: %v", err)
			}
			t.Logf("%s: %d bytes, %d flips rejected", sealer, len(raw), flipped)
		})
	}
}

func TestNameSwap(t *testing.T) {
	for _, sealer := range vectors.Sealers {
		t.Run(sealer, func(t *testing.T) {
			v := sealWith(t, sealer, []int{1}, "sid", samplePayload, t0, t1, randFor(sealer, 1))
			o := opener(t, sealer, []int{1}, t0, skew)
			for _, other := range []string{"sid2", "Sid", "si", "__Host-sid", strings.Repeat("s", 256), strings.Repeat("s", 70000)} {
				if _, err := o.Open(other, v); !errors.Is(err, crumb.ErrWrongName) {
					t.Errorf("Open(%.20q) err = %v, want ErrWrongName", other, err)
				}
			}
			if sealer == vectors.Unsigned {
				return
			}
			// Rewriting the name tag to match the new name does not
			// help: the name itself is authenticated.
			raw := decodeValue(t, v)
			tag := fnv32a("other")
			raw[5], raw[6], raw[7], raw[8] = byte(tag>>24), byte(tag>>16), byte(tag>>8), byte(tag)
			if _, err := o.Open("other", b64.EncodeToString(raw)); !errors.Is(err, crumb.ErrInvalid) {
				t.Errorf("name tag rewritten: err = %v, want ErrInvalid", err)
			}
		})
	}
}

func fnv32a(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// TestCrossSealer opens every sealer's value with every other sealer,
// with the same key material where the kinds allow: the format byte
// refuses it. Rewriting the format byte to the opener's makes it fail
// authentication instead, because the purpose label and subkey differ.
func TestCrossSealer(t *testing.T) {
	values := map[string]string{}
	for _, s := range vectors.Sealers {
		values[s] = sealWith(t, s, []int{1}, "sid", samplePayload, t0, t1, randFor(s, 1))
	}
	formats := map[string]byte{vectors.Unsigned: 1, vectors.HMAC: 2, vectors.Ed448: 3, vectors.Ed25519: 4, vectors.AESGCM: 5}
	for _, from := range vectors.Sealers {
		for _, to := range vectors.Sealers {
			if from == to {
				continue
			}
			o := opener(t, to, []int{1}, t0, skew)
			if _, err := o.Open("sid", values[from]); !errors.Is(err, crumb.ErrMalformed) {
				t.Errorf("%s value opened by %s: err = %v, want ErrMalformed", from, to, err)
			}
			raw := decodeValue(t, values[from])
			raw[0] = formats[to]
			_, err := o.Open("sid", b64.EncodeToString(raw))
			if err == nil {
				t.Errorf("%s value relabelled as %s opened", from, to)
				continue
			}
			// Same key ID (HMAC and AES-GCM share ring keys): the MAC
			// or AEAD must refuse it.
			if (from == vectors.HMAC && to == vectors.AESGCM || from == vectors.AESGCM && to == vectors.HMAC) && !errors.Is(err, crumb.ErrInvalid) {
				t.Errorf("%s value relabelled as %s: err = %v, want ErrInvalid", from, to, err)
			}
		}
	}
}

// TestExpiry walks the validity window's edges second by second: valid
// from iat-skew to exp+skew-1 inclusive.
func TestExpiry(t *testing.T) {
	cases := []struct {
		name   string
		openAt int64
		skew   int64
		ok     bool
	}{
		{"issue time", t0, skew, true},
		{"earliest with skew", t0 - skew, skew, true},
		{"one second before earliest", t0 - skew - 1, skew, false},
		{"last second with skew", t1 + skew - 1, skew, true},
		{"expiry plus skew", t1 + skew, skew, false},
		{"long after", t1 + 86400, skew, false},
		{"no skew: issue time", t0, 0, true},
		{"no skew: one second early", t0 - 1, 0, false},
		{"no skew: last second", t1 - 1, 0, true},
		{"no skew: expiry", t1, 0, false},
		{"skew one hour: last second", t1 + 3599, 3600, true},
		{"skew one hour: edge", t1 + 3600, 3600, false},
	}
	for _, sealer := range vectors.Sealers {
		v := sealWith(t, sealer, []int{1}, "sid", samplePayload, t0, t1, randFor(sealer, 1))
		for _, c := range cases {
			t.Run(sealer+"/"+c.name, func(t *testing.T) {
				_, err := opener(t, sealer, []int{1}, c.openAt, c.skew).Open("sid", v)
				if c.ok && err != nil {
					t.Fatalf("err = %v, want success", err)
				}
				if !c.ok && !errors.Is(err, crumb.ErrExpired) {
					t.Fatalf("err = %v, want ErrExpired", err)
				}
			})
		}
	}
}

func TestSealTimes(t *testing.T) {
	for _, sealer := range vectors.Sealers {
		s, err := vectors.NewSealer(sealer, ringText(t, sealer, true, 1), t0, randFor(sealer, 1))
		if err != nil {
			t.Fatal(err)
		}
		for _, exp := range []int64{t0, t0 - 1, 1 << 33} {
			if _, err := s.Seal("sid", samplePayload, unix(exp)); !errors.Is(err, crumb.ErrExpired) {
				t.Errorf("%s: Seal(exp=%d) err = %v, want ErrExpired", sealer, exp, err)
			}
		}
		for _, name := range []string{"", "a b", "a;b", "a=b", "é", strings.Repeat("n", 256)} {
			if _, err := s.Seal(name, samplePayload, unix(t1)); !errors.Is(err, crumb.ErrWrongName) {
				t.Errorf("%s: Seal(name %q) err = %v, want ErrWrongName", sealer, name, err)
			}
		}
	}
}

func TestRotation(t *testing.T) {
	for _, sealer := range vectors.Sealers {
		if sealer == vectors.Unsigned {
			continue
		}
		t.Run(sealer, func(t *testing.T) {
			old := sealWith(t, sealer, []int{1}, "sid", samplePayload, t0, t1, randFor(sealer, 1))
			fresh := sealWith(t, sealer, []int{2, 1}, "sid", samplePayload, t0, t1, randFor(sealer, 2))
			cases := []struct {
				name    string
				ring    []int
				value   string
				rotated bool
				err     error
			}{
				{"old key after rotation", []int{2, 1}, old, true, nil},
				{"old key still primary", []int{1, 2}, old, false, nil},
				{"new primary", []int{2, 1}, fresh, false, nil},
				{"new key in old ring", []int{1}, fresh, false, crumb.ErrUnknownKey},
				{"old key retired", []int{2, 3}, old, false, crumb.ErrUnknownKey},
				{"third in ring", []int{3, 2, 1}, old, true, nil},
			}
			for _, c := range cases {
				o, err := opener(t, sealer, c.ring, t0, skew).Open("sid", c.value)
				if c.err != nil {
					if !errors.Is(err, c.err) {
						t.Errorf("%s: err = %v, want %v", c.name, err, c.err)
					}
					continue
				}
				if err != nil || o.Rotated != c.rotated || !bytes.Equal(o.Payload, samplePayload) {
					t.Errorf("%s: Opened = %+v, %v; want Rotated=%v", c.name, o, err, c.rotated)
				}
			}
		})
	}
}

// TestOversizedRefusedBeforeDecoding hands every sealer a 1 MB value:
// it must fail with ErrTooLarge without decoding it, which shows as no
// allocation anywhere near the value's size.
func TestOversizedRefusedBeforeDecoding(t *testing.T) {
	huge := strings.Repeat("A", 1<<20)
	for _, sealer := range vectors.Sealers {
		t.Run(sealer, func(t *testing.T) {
			o := opener(t, sealer, []int{1}, t0, skew)
			_, err := o.Open("sid", huge)
			if !errors.Is(err, crumb.ErrTooLarge) {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
			assertNoLeak(t, err, huge)
			allocs := testing.AllocsPerRun(50, func() { o.Open("sid", huge) })
			if allocs > 1 {
				t.Errorf("%v allocations per refused value, want at most 1 (the error)", allocs)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			const runs = 100
			for range runs {
				o.Open("sid", huge)
			}
			runtime.ReadMemStats(&after)
			if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 1024 {
				t.Errorf("%d bytes allocated per refused 1 MB value, want almost none", per)
			}
		})
	}
}

// TestMaxValueLen checks both sides of the configured limit: Open
// refuses one byte over it, and Seal refuses to produce such a value.
func TestMaxValueLen(t *testing.T) {
	for _, sealer := range vectors.Sealers {
		t.Run(sealer, func(t *testing.T) {
			p := []byte(`{"pad":"` + strings.Repeat("p", 100) + `"}`)
			v := sealWith(t, sealer, []int{1}, "sid", p, t0, t1, randFor(sealer, 1))
			if _, err := opener(t, sealer, []int{1}, t0, skew, len(v)).Open("sid", v); err != nil {
				t.Fatalf("value of exactly the limit: %v", err)
			}
			if _, err := opener(t, sealer, []int{1}, t0, skew, len(v)-1).Open("sid", v); !errors.Is(err, crumb.ErrTooLarge) {
				t.Fatalf("value one over the limit: err = %v, want ErrTooLarge", err)
			}
			s, err := vectors.NewSealer(sealer, ringText(t, sealer, true, 1), t0, randFor(sealer, 1))
			if err != nil {
				t.Fatal(err)
			}
			big := []byte(`"` + strings.Repeat("x", 16<<10) + `"`)
			if _, err := s.Seal("sid", big, unix(t1)); !errors.Is(err, crumb.ErrTooLarge) {
				t.Fatalf("Seal of a 16 KiB payload: err = %v, want ErrTooLarge", err)
			}
		})
	}
}

// TestErrorsNeverQuoteTheValue opens long garbage and tampered values
// and checks that no error repeats any part of them.
func TestErrorsNeverQuoteTheValue(t *testing.T) {
	long := []byte(`"` + strings.Repeat("secret-session-data-", 100) + `"`)
	for _, sealer := range vectors.Sealers {
		v := sealWith(t, sealer, []int{1}, "sid", long, t0, t1, randFor(sealer, 1))
		o := opener(t, sealer, []int{1}, t0, skew)
		bad := []string{
			v[:len(v)-1] + "!",
			v[:len(v)/2],
			"A" + v,
			strings.Repeat("Zm9v", 1000),
			v + "A",
		}
		raw := decodeValue(t, v)
		raw[len(raw)-1] ^= 1
		bad = append(bad, b64.EncodeToString(raw))
		for _, b := range bad {
			_, err := o.Open("sid", b)
			if err == nil && sealer != vectors.Unsigned {
				t.Fatalf("%s: tampered value opened", sealer)
			}
			assertNoLeak(t, err, b, string(long))
		}
		_, err := opener(t, sealer, []int{1}, t1+3600, skew).Open("sid", v)
		assertNoLeak(t, err, v, string(long))
	}
}
