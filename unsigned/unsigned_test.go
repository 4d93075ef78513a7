package unsigned_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/unsigned"
)

var (
	t0 = time.Unix(1767225600, 0)
	t1 = t0.Add(time.Hour)
)

func clock(t time.Time) crumb.Option { return crumb.WithClock(func() time.Time { return t }) }

type prefs struct {
	Theme string `json:"theme"`
}

// validPrefs is the kind of validation function the package asks for:
// strict JSON into a known shape, with a closed set of values.
func validPrefs(p []byte) error {
	dec := json.NewDecoder(strings.NewReader(string(p)))
	dec.DisallowUnknownFields()
	var v prefs
	if err := dec.Decode(&v); err != nil {
		return err
	}
	if v.Theme != "dark" && v.Theme != "light" {
		return errors.New("theme " + v.Theme + " not allowed")
	}
	return nil
}

func TestLayoutIsReadable(t *testing.T) {
	s := unsigned.New(validPrefs, clock(t0))
	v, err := s.Seal("prefs", []byte(`{"theme":"dark"}`), t1)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		t.Fatal(err)
	}
	if raw[0] != 0x01 || string(raw[1:5]) != "\x00\x00\x00\x00" || string(raw[17:]) != `{"theme":"dark"}` {
		t.Errorf("layout: % x", raw)
	}
}

func TestValidationIsTheDefence(t *testing.T) {
	s := unsigned.New(validPrefs, clock(t0))
	forge := func(payload string) string {
		// What a client can do: take a value, decode, edit, encode.
		v, _ := s.Seal("prefs", []byte(`{"theme":"dark"}`), t1)
		raw, _ := base64.RawURLEncoding.DecodeString(v)
		return base64.RawURLEncoding.EncodeToString(append(raw[:17], payload...))
	}
	cases := []struct {
		payload string
		ok      bool
	}{
		{`{"theme":"light"}`, true}, // the client may change it: that is the contract
		{`{"theme":"<script>"}`, false},
		{`{"theme":"dark","admin":true}`, false},
		{`not json`, false},
		{``, false},
	}
	for _, c := range cases {
		o, err := s.Open("prefs", forge(c.payload))
		if c.ok != (err == nil) {
			t.Errorf("%q: err = %v, want ok=%v", c.payload, err, c.ok)
			continue
		}
		if err != nil {
			if !errors.Is(err, crumb.ErrInvalid) {
				t.Errorf("%q: err = %v, want ErrInvalid", c.payload, err)
			}
			// The validator's message quotes the payload; Open must
			// not pass it on.
			if strings.Contains(err.Error(), "script") || strings.Contains(err.Error(), "theme") {
				t.Errorf("error %q repeats the validator's message", err)
			}
			continue
		}
		if string(o.Payload) != c.payload || o.Rotated {
			t.Errorf("Open = %+v", o)
		}
	}
}

func TestValidatorRunsLast(t *testing.T) {
	calls := 0
	s := unsigned.New(func([]byte) error { calls++; return nil }, clock(t0))
	v, _ := s.Seal("prefs", []byte(`{}`), t1)
	// Wrong name, expired and malformed values never reach it.
	s.Open("other", v)
	unsigned.New(func([]byte) error { calls++; return nil }, clock(t1.Add(time.Hour))).Open("prefs", v)
	s.Open("prefs", "!!")
	if calls != 0 {
		t.Errorf("validator called %d times for values that should fail first", calls)
	}
	s.Open("prefs", v)
	if calls != 1 {
		t.Errorf("validator called %d times, want 1", calls)
	}
}

func TestKeyIDMustBeZero(t *testing.T) {
	s := unsigned.New(validPrefs, clock(t0))
	v, _ := s.Seal("prefs", []byte(`{"theme":"dark"}`), t1)
	raw, _ := base64.RawURLEncoding.DecodeString(v)
	raw[4] = 1
	if _, err := s.Open("prefs", base64.RawURLEncoding.EncodeToString(raw)); !errors.Is(err, crumb.ErrMalformed) {
		t.Errorf("err = %v, want ErrMalformed", err)
	}
}
