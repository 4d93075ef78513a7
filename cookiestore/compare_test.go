package cookiestore

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

type textID [4]byte

func (textID) MarshalText() ([]byte, error) { return []byte("id"), nil }

type ptrMarshaler struct{ N int }

func (*ptrMarshaler) MarshalJSON() ([]byte, error) { return []byte(`"x"`), nil }

func TestPlainType(t *testing.T) {
	type inner struct {
		A [2]string
		b uint8
	}
	cases := []struct {
		name string
		v    any
		want bool
	}{
		{"bool", false, true},
		{"int", 0, true},
		{"uint64", uint64(0), true},
		{"string", "", true},
		{"array", [3]int{}, true},
		{"struct", struct {
			Email  string
			Failed int
			In     inner
		}{}, true},
		{"empty struct", struct{}{}, true},
		{"float", 0.0, false},
		{"struct with float", struct{ F float32 }{}, false},
		{"pointer", new(int), false},
		{"slice", []string{}, false},
		{"map", map[string]int{}, false},
		{"interface field", struct{ V any }{}, false},
		{"time.Time", time.Time{}, false},
		{"raw message", json.RawMessage{}, false},
		{"MarshalText on value", textID{}, false},
		{"MarshalJSON on pointer", ptrMarshaler{}, false},
		{"nested marshaler", struct{ In struct{ ID textID } }{}, false},
		{"complex", complex64(0), false},
		{"chan", make(chan int), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := plainType(reflect.TypeOf(tc.v)); got != tc.want {
				t.Fatalf("plainType(%T) = %v, want %v", tc.v, got, tc.want)
			}
		})
	}
}

func TestPlainEqual(t *testing.T) {
	type rec struct {
		S string
		N int
		U uint16
		B bool
		A [2]string
		h string // unexported: compared too
	}
	base := rec{S: "a", N: -1, U: 2, B: true, A: [2]string{"x", "y"}, h: "h"}
	cases := []struct {
		name   string
		change func(*rec)
		equal  bool
	}{
		{"same", func(*rec) {}, true},
		{"string", func(r *rec) { r.S = "b" }, false},
		{"same string, new backing", func(r *rec) { r.S = string([]byte{'a'}) }, true},
		{"int", func(r *rec) { r.N = 1 }, false},
		{"uint", func(r *rec) { r.U = 3 }, false},
		{"bool", func(r *rec) { r.B = false }, false},
		{"array element", func(r *rec) { r.A[1] = "z" }, false},
		{"unexported", func(r *rec) { r.h = "" }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := base
			tc.change(&v)
			if got := plainEqual(reflect.ValueOf(&v).Elem(), reflect.ValueOf(&base).Elem()); got != tc.equal {
				t.Fatalf("plainEqual = %v, want %v", got, tc.equal)
			}
		})
	}
}

func TestJSONDecoderMatchesUnmarshal(t *testing.T) {
	type acct struct {
		Email string `json:"email"`
		N     int    `json:"n"`
	}
	inputs := []string{
		`{"email":"a","n":1}`,
		`{"email":"a","n":1}  `,
		`{"email":"a"} x`,
		`{"email":"a"}{"n":2}`,
		`{"email":`,
		`{"email":"a","n":"one"}`,
		`{"n":3}`,
		`null`,
		` {"n":4}`,
		`[]`,
		`{"email":"\u003cb\u003e"}`,
	}
	d := newJSONDecoder().(*jsonDecoder)
	// Twice through one decoder, replaced after an error as the store
	// does, so leftovers of one input would show in the next.
	for round := 0; round < 2; round++ {
		for _, in := range inputs {
			var want, got acct
			wantErr := json.Unmarshal([]byte(in), &want)
			reusable, err := d.decode([]byte(in), &got)
			// On error v may hold part of the data (so may Unmarshal's,
			// after a type error); the store drops it.
			if (err == nil) != (wantErr == nil) || err == nil && got != want {
				t.Errorf("%q: decode = %+v, %v; Unmarshal = %+v, %v", in, got, err, want, wantErr)
			}
			if !reusable {
				d = newJSONDecoder().(*jsonDecoder)
			}
		}
	}
	// Top-level numbers need the end of input to end.
	for _, in := range []string{"12", "12 ", "1 2"} {
		var want, got int
		wantErr := json.Unmarshal([]byte(in), &want)
		d := newJSONDecoder().(*jsonDecoder)
		_, err := d.decode([]byte(in), &got)
		if (err == nil) != (wantErr == nil) || err == nil && got != want {
			t.Errorf("%q: decode = %v, %v; Unmarshal = %v, %v", in, got, err, want, wantErr)
		}
	}
}

func TestParseCookieHeader(t *testing.T) {
	cases := []struct {
		header string
		chunks int
		seen   uint16
		first  string
	}{
		{"", 8, 0, ""},
		{"s=a", 8, 1, "a"},
		{"x=1; s=a; s=b", 8, 1, "a"},
		{`s="a"`, 8, 1, "a"},
		{"s=a; s.1=b; s.7=c", 8, 1 | 2 | 128, "a"},
		{"s.01=b; s.8=c; s.10=d; s.0=e; s.=f; s.a=g; sx=h; S=i", 8, 0, ""},
		{"s.2=b", 8, 4, ""},
		{"s", 8, 0, ""},
		{"=s; s=; t=u", 8, 1, ""},
		// Names past the store's chunks are not its cookies.
		{"s=a; s.1=b; s.3=c; s.4=d", 4, 1 | 2 | 8, "a"},
		{"s=a; s.1=b; s.7=c", 1, 1, "a"},
		{"s.1=b", 1, 0, ""},
	}
	for _, tc := range cases {
		in := parseCookieHeader(tc.header, "s", tc.chunks)
		if in.seen != tc.seen || in.chunks[0] != tc.first {
			t.Errorf("%q (%d chunks): seen %b first %q, want %b %q", tc.header, tc.chunks, in.seen, in.chunks[0], tc.seen, tc.first)
		}
	}
}
