package unsigned_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/crumbkit/crumb/internal/vectors"
	"github.com/crumbkit/crumb/unsigned"
)

// FuzzOpenUnsigned: Open never panics, fails only with crumb's
// sentinels, and nothing reaches the caller that the validation
// function did not approve: an unsigned value can be forged by
// anyone, so that is the whole guarantee.
func FuzzOpenUnsigned(f *testing.F) {
	var approved [][]byte
	validate := func(p []byte) error {
		if !json.Valid(p) {
			return errors.New("not JSON")
		}
		approved = append(approved, bytes.Clone(p))
		return nil
	}
	s := unsigned.New(validate, clock(t0))
	for _, p := range []string{`{}`, `{"theme":"dark"}`, `"x"`} {
		v, err := s.Seal("prefs", []byte(p), t1)
		if err != nil {
			f.Fatal(err)
		}
		f.Add("prefs", v)
		f.Add("other", v)
	}
	f.Add("prefs", "")
	f.Fuzz(func(t *testing.T, name, value string) {
		approved = approved[:0]
		o, err := s.Open(name, value)
		if err != nil {
			if vectors.ErrorName(err) == "" {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		if len(approved) != 1 || !bytes.Equal(approved[0], o.Payload) {
			t.Fatalf("payload %q reached the caller without validation", o.Payload)
		}
		if o.Rotated {
			t.Fatal("unsigned value reported Rotated")
		}
	})
}
