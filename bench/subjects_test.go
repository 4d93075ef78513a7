package bench

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/keys"
)

func testKeys(t *testing.T) *Keys {
	t.Helper()
	k, err := NewKeys()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestTypicalIsAbout200Bytes(t *testing.T) {
	if n := TypicalJSONLen(); n < 180 || n > 240 {
		t.Fatalf("typical session is %d bytes of JSON, want about 200", n)
	}
}

// flip returns v with one character of its middle replaced by another
// character of the same base64 alphabet, so the change survives
// decoding and reaches the MAC or AEAD.
func flip(v string) string {
	b := []byte(v)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

func TestSubjectsRoundTripAndRejectTampering(t *testing.T) {
	k := testKeys(t)
	subjects, err := Subjects(k)
	if err != nil {
		t.Fatal(err)
	}
	if len(subjects) != 8 {
		t.Fatalf("got %d subjects, want 8", len(subjects))
	}
	want := Typical()
	for _, s := range subjects {
		t.Run(s.Name, func(t *testing.T) {
			v, err := s.Seal(&want)
			if err != nil {
				t.Fatalf("seal: %v", err)
			}
			var got Session
			if err := s.Open(v, &got); err != nil {
				t.Fatalf("open: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round trip changed the session:\n got %+v\nwant %+v", got, want)
			}
			if s.Group == "encrypted" && strings.Contains(decodeAll(v), want.Email) {
				t.Fatal("an encrypting subject leaves the email readable")
			}
			if s.Kind == KindJSON {
				return // the reference protects nothing
			}
			var junk Session
			if err := s.Open(flip(v), &junk); err == nil {
				t.Fatal("a tampered value opened")
			}
			if err := s.Open(v[:len(v)/2], &junk); err == nil {
				t.Fatal("a truncated value opened")
			}
		})
	}
}

// decodeAll base64-decodes v, and again if the result is base64 text as
// gorilla's is, so a test can look for plaintext.
func decodeAll(v string) string {
	s := v
	for range 3 {
		var b []byte
		var err error
		for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding} {
			if b, err = enc.DecodeString(s); err == nil {
				break
			}
		}
		if err != nil {
			break
		}
		s = string(b)
	}
	return s
}

func TestSignedSubjectsAreReadable(t *testing.T) {
	// A check that the signed subjects really are the readable variant,
	// so the table compares like with like.
	k := testKeys(t)
	subjects, err := Subjects(k)
	if err != nil {
		t.Fatal(err)
	}
	want := Typical()
	for _, s := range subjects {
		if s.Group != "signed" || s.Kind == KindGorilla {
			continue // gorilla's hash-only value nests base64 inside base64
		}
		v, err := s.Seal(&want)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(decodeAll(v), want.Email) {
			t.Errorf("%s: payload not readable after one base64 pass", s.Name)
		}
	}
}

func TestRotations(t *testing.T) {
	k := testKeys(t)
	rots, err := Rotations(k)
	if err != nil {
		t.Fatal(err)
	}
	if len(rots) != 2 {
		t.Fatalf("got %d rotation subjects, want 2", len(rots))
	}
	want := Typical()
	for _, r := range rots {
		t.Run(r.Name, func(t *testing.T) {
			for _, v := range []string{r.First, r.Value} {
				var got Session
				if err := r.Open(v, &got); err != nil {
					t.Fatalf("open: %v", err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatal("rotation open changed the session")
				}
			}
			if r.First == r.Value {
				t.Fatal("first-key and third-key values are the same")
			}
		})
	}

	// The crumb value really is under the third key: a ring holding only
	// the first two does not know its key ID.
	ring2, err := keys.NewRing(k.Ring.Primary(), k.ExtraKeys[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := encrypted.New(ring2).Open(CookieName, rots[1].Value); !errors.Is(err, crumb.ErrUnknownKey) {
		t.Fatalf("third-key value under a two-key ring: %v, want ErrUnknownKey", err)
	}
	ring3, err := keys.NewRing(k.Ring.Primary(), k.ExtraKeys[0], k.ExtraKeys[1])
	if err != nil {
		t.Fatal(err)
	}
	o, err := encrypted.New(ring3).Open(CookieName, rots[1].Value)
	if err != nil || !o.Rotated {
		t.Fatalf("third-key value: err %v, rotated %v; want it opened and flagged", err, o.Rotated)
	}
	// And the gorilla value does not open with its first codec alone.
	var s Session
	if err := gorillaCodec(k.HashKey, k.BlockKey).Decode(CookieName, rots[0].Value, &s); err == nil {
		t.Fatal("gorilla third-key value opened under the first codec")
	}
}

func TestLayers(t *testing.T) {
	k := testKeys(t)
	layers, err := Layers(k)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		v, err := l.Sealer.Seal(CookieName, l.Payload, time.Now().Add(Lifetime))
		if err != nil {
			t.Fatalf("%s: seal: %v", l.Name, err)
		}
		o, err := l.Sealer.Open(CookieName, v)
		if err != nil {
			t.Fatalf("%s: open: %v", l.Name, err)
		}
		if string(o.Payload) != string(l.Payload) {
			t.Fatalf("%s: payload changed", l.Name)
		}
		var s Session
		if err := json.Unmarshal(l.Payload, &s); err != nil || !reflect.DeepEqual(s, Typical()) {
			t.Fatalf("%s: payload is not the typical session's JSON", l.Name)
		}
	}
}

func TestLineLenMatchesNetHTTP(t *testing.T) {
	v := strings.Repeat("a", 100)
	c := &http.Cookie{Name: CookieName, Value: v, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode, MaxAge: 86400}
	if got, want := LineLen(v), len(c.String()); got != want {
		t.Fatalf("LineLen %d, net/http's Set-Cookie value is %d bytes (%s)", got, want, c.String())
	}
}

func TestCapacities(t *testing.T) {
	k := testKeys(t)
	caps, err := Capacities(k)
	if err != nil {
		t.Fatal(err)
	}
	if len(caps) != 5 {
		t.Fatalf("got %d capacities, want 5", len(caps))
	}
	by := map[string]Capacity{}
	for _, c := range caps {
		by[c.Subject] = c
		if c.LineLen > MaxCookieLine {
			t.Errorf("%s: line of %d bytes exceeds %d", c.Subject, c.LineLen, MaxCookieLine)
		}
		if c.Payload < 1000 {
			t.Errorf("%s: capacity %d is implausibly small", c.Subject, c.Payload)
		}
	}
	// The capacity is the largest: one more byte of payload must not fit.
	enc := crumbEncode(encrypted.New(k.Ring))
	c := by["crumb encrypted"]
	v, err := enc(&filler{D: strings.Repeat("x", c.Payload-8+1)})
	if err != nil {
		t.Fatal(err)
	}
	if LineLen(v) <= MaxCookieLine {
		t.Fatalf("a %d-byte payload still fits, so %d is not the largest", c.Payload+1, c.Payload)
	}
	// One base64 pass over an AEAD against gorilla's two passes: crumb
	// must carry more. This is a size property, not a timing one.
	if g := by["gorilla securecookie hash+block"]; c.Payload <= g.Payload {
		t.Fatalf("crumb encrypted fits %d bytes, gorilla %d: want crumb larger", c.Payload, g.Payload)
	}
}

func TestReportRatiosAndGoals(t *testing.T) {
	mk := func(sec Section, group string, kind Kind, subject, op string, ns float64, allocs int64) Result {
		return Result{Case: Case{Section: sec, Group: group, Kind: kind, Subject: subject, Op: op}, NsPerOp: ns, AllocsPerOp: allocs}
	}
	rep := &Report{Results: []Result{
		mk(SectionSealOpen, "encrypted", KindCrumb, "c", OpSeal, 1000, 5),
		mk(SectionSealOpen, "encrypted", KindGorilla, "g", OpSeal, 4000, 20),
		mk(SectionSealOpen, "encrypted", KindBare, "b", OpSeal, 800, 4),
		mk(SectionSealOpen, "encrypted", KindCrumb, "c", OpOpen, 1000, 5),
		mk(SectionSealOpen, "encrypted", KindGorilla, "g", OpOpen, 2000, 20),
		mk(SectionSealOpen, "encrypted", KindBare, "b", OpOpen, 500, 4),
		mk(SectionLayer, "", KindCrumb, "layer", OpSeal, 700, 4),
		mk(SectionLayer, "", KindCrumb, "layer", OpOpen, 700, 5),
		mk(SectionStore, "", KindCrumb, StoreCrumb, OpUnchanged, 2500, 20),
		mk(SectionStore, "", KindCrumb, StoreCrumbNoCache, OpUnchanged, 5000, 22),
		mk(SectionStore, "", KindGorilla, "gs", OpUnchanged, 10000, 200),
		mk(SectionStore, "", KindBare, "none", OpUnchanged, 2000, 16),
	}}
	goals := strings.Join(rep.Goals(), "\n")
	for _, want := range []string{
		"encrypted seal ≥ 3× faster than gorilla hash+block: 4.00× — met",
		"encrypted seal within 1.5× of bare JSON+AES-256-GCM+base64: 1.25× — met",
		"encrypted open ≥ 3× faster than gorilla hash+block: 2.00× — NOT met",
		"encrypted open within 1.5× of bare JSON+AES-256-GCM+base64: 2.00× — NOT met",
		"layer seal: 4 — met",
		"layer open: 5 — NOT met",
		"cookie store, unchanged session ≥ 4× less CPU than gorilla/sessions: 4.00× — met (ceiling for any store measured with the same request and recorder: gorilla ÷ no session = 5.00×; crumb's own allocations beyond that row: 4)",
	} {
		if !strings.Contains(goals, want) {
			t.Errorf("goals lack %q:\n%s", want, goals)
		}
	}
	var b strings.Builder
	if err := WriteMarkdown(&b, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "| encrypted | c | seal | 1000 | – | 0 | 5 | 4.00× | 1.25× |") {
		t.Fatalf("table row wrong:\n%s", b.String())
	}

	// With CPU time measured, ratios use it rather than wall time.
	for i := range rep.Results {
		rep.Results[i].CPUNsPerOp = rep.Results[i].NsPerOp / 2
	}
	rep.Results[1].CPUNsPerOp = 6000 // gorilla seal: 6000 CPU ns against crumb's 500
	if goals := strings.Join(rep.Goals(), "\n"); !strings.Contains(goals, "faster than gorilla hash+block: 12.00× — met") {
		t.Fatalf("goals did not use CPU time:\n%s", goals)
	}
}

func TestCost(t *testing.T) {
	if c := (Result{NsPerOp: 10}).Cost(); c != 10 {
		t.Fatalf("cost without CPU time = %v, want the wall time 10", c)
	}
	if c := (Result{NsPerOp: 10, CPUNsPerOp: 7}).Cost(); c != 7 {
		t.Fatalf("cost with CPU time = %v, want 7", c)
	}
}

// TestGoalVerdictMatchesPrintedRatio: a ratio printed as 1.50× meets a
// 1.5× goal, whatever the third decimal was.
func TestGoalVerdictMatchesPrintedRatio(t *testing.T) {
	rep := &Report{Results: []Result{
		{Case: Case{Section: SectionSealOpen, Group: "encrypted", Kind: KindCrumb, Op: OpOpen}, NsPerOp: 1503},
		{Case: Case{Section: SectionSealOpen, Group: "encrypted", Kind: KindBare, Op: OpOpen}, NsPerOp: 1000},
	}}
	goals := strings.Join(rep.Goals(), "\n")
	if !strings.Contains(goals, "within 1.5× of bare JSON+AES-256-GCM+base64: 1.50× — met") {
		t.Fatalf("goals:\n%s", goals)
	}
}
