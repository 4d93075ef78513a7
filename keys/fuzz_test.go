package keys_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/keys/ed448"
)

// longFields returns the fields of text long enough that an error
// quoting them would be a leak rather than a coincidence.
func longFields(text string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(text, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '=' || r == ':'
	}) {
		if len(f) >= 16 {
			out = append(out, f)
		}
	}
	return out
}

// FuzzParseRing: no panic; an error never quotes the text; a ring that
// parses exports to text that parses to the same ring.
func FuzzParseRing(f *testing.F) {
	k1 := base64.RawURLEncoding.EncodeToString(material(1))
	k2 := base64.StdEncoding.EncodeToString(material(2))
	for _, s := range []string{"", k1, k1 + "," + k2, "SESSION_KEYS=" + k1, k1 + "=," + k1, " ,\n", "A=B=C", k1[:20]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r, err := keys.ParseRing(text)
		if err != nil {
			for _, fld := range longFields(text) {
				if strings.Contains(err.Error(), fld[:16]) {
					t.Fatalf("error %q quotes the input", err)
				}
			}
			return
		}
		back, err := keys.ParseRing(r.Export())
		if err != nil {
			t.Fatalf("Export does not parse: %v", err)
		}
		if back.String() != r.String() {
			t.Fatalf("round trip %v != %v", back, r)
		}
		if strings.Contains(r.String(), r.Primary().Export()[:16]) {
			t.Fatal("String shows key material")
		}
	})
}

// FuzzParsePublicRing: no panic on any text; a ring that parses
// round-trips through Export.
func FuzzParsePublicRing(f *testing.F) {
	k, err := keys.NewPrivateKey(ed448.Scheme(), append(material(1), material(2)...)[:57])
	if err != nil {
		f.Fatal(err)
	}
	pub := k.Public().Export()
	for _, s := range []string{"", pub, pub + "," + pub, "EDGE_KEYS=" + pub, "ed448-public:", "ed448-public:AAAA", k.Export()} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r, err := keys.ParsePublicRing(ed448.Scheme(), text)
		if err != nil {
			return
		}
		back, err := keys.ParsePublicRing(ed448.Scheme(), r.Export())
		if err != nil || back.String() != r.String() {
			t.Fatalf("round trip: %v %v", back, err)
		}
		// A public key that parsed must not verify garbage.
		if r.Primary().Verify([]byte("m"), make([]byte, 114)) {
			t.Fatal("all-zero signature verified")
		}
	})
}
