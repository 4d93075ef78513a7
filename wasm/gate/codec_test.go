package gate_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/wasm/gate"
)

// randomString mixes what JSON strings must escape or may mangle:
// quotes, backslashes, control bytes, HTML characters, U+2028, invalid
// UTF-8 and multi-byte runes.
func randomString(r *rand.Rand) string {
	pieces := []string{"a", "Z", "0", " ", "\"", "\\", "/", "<", ">", "&", "\x00", "\x1f", "\b", "\f", "\n", "\r", "\t", "\x7f",
		"é", "😀", "\u2028", "\u2029", "\xff", "\xe2\x80", "\ud7ff", "ｘ"}
	var b strings.Builder
	for n := r.IntN(8); n > 0; n-- {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

// randomValue is a value of any JSON type, nested up to depth.
func randomValue(r *rand.Rand, depth int) any {
	switch k := r.IntN(7); {
	case k == 0 || depth == 0 && k >= 5:
		return randomString(r)
	case k == 1:
		return r.Int64() >> r.IntN(64)
	case k == 2:
		return r.NormFloat64() * 1e6
	case k == 3:
		return r.IntN(2) == 0
	case k == 4:
		return nil
	case k == 5:
		m := map[string]any{}
		for n := r.IntN(4); n > 0; n-- {
			m[randomString(r)] = randomValue(r, depth-1)
		}
		return m
	default:
		var a []any
		for n := r.IntN(4); n > 0; n-- {
			a = append(a, randomValue(r, depth-1))
		}
		return a
	}
}

// randomRaw is a random value as JSONCodec writes it, or indented, or
// without HTML escaping (which the codecs must compact and escape), or
// empty.
func randomRaw(r *rand.Rand) cookiestore.Raw {
	v := randomValue(r, 3)
	switch r.IntN(8) {
	case 0:
		return nil
	case 1:
		return must(json.MarshalIndent(v, " ", "\t"))
	case 2:
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			panic(err)
		}
		return bytes.TrimSpace(b.Bytes())
	}
	return must(json.Marshal(v))
}

func randomEnvelope(r *rand.Rand) *cookiestore.Envelope {
	e := &cookiestore.Envelope{ID: randomString(r), Created: r.Int64() - r.Int64(), Data: randomRaw(r)}
	if r.IntN(3) > 0 {
		// The sealed lifetime: each field may be zero (left out).
		e.Idle, e.Renew, e.Deadline = r.Int64N(3)*r.Int64(), r.Int64N(3)*r.Int64N(1e6), r.Int64()-r.Int64()
		e.Browser = r.IntN(2) == 0
	}
	if r.IntN(3) > 0 {
		e.Flashes = map[string][]cookiestore.Raw{}
		for n := r.IntN(4); n > 0; n-- {
			var vals []cookiestore.Raw
			if r.IntN(5) > 0 {
				vals = []cookiestore.Raw{}
				for m := r.IntN(3); m > 0; m-- {
					vals = append(vals, randomRaw(r))
				}
			}
			e.Flashes[randomString(r)] = vals
		}
	}
	return e
}

// TestCodecMatchesJSON: for records as the origin writes them, Codec
// writes the bytes JSONCodec writes and reads what JSONCodec reads.
func TestCodecMatchesJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var c gate.Codec
	for i := 0; i < 3000; i++ {
		e := randomEnvelope(r)
		want, err := cookiestore.JSONCodec{}.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Marshal(e)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("Marshal(%+v):\n got %s (%v)\nwant %s", e, got, err, want)
		}
		var gotE, wantE cookiestore.Envelope
		if err := (cookiestore.JSONCodec{}).Unmarshal(want, &wantE); err != nil {
			t.Fatal(err)
		}
		if err := c.Unmarshal(want, &gotE); err != nil || !reflect.DeepEqual(gotE, wantE) {
			t.Fatalf("Unmarshal(%s):\n got %+v (%v)\nwant %+v", want, gotE, err, wantE)
		}
		// The decoded record encodes as JSONCodec encodes it (a renewal
		// re-seals what the origin would).
		if again, err := c.Marshal(&gotE); err != nil || !bytes.Equal(again, must(cookiestore.JSONCodec{}.Marshal(&wantE))) {
			t.Fatalf("re-encoding %s gave %s (%v)", want, again, err)
		}
		raw := e.Data
		if got, err := c.Marshal(&raw); err != nil || !bytes.Equal(got, must(json.Marshal(raw))) {
			t.Fatalf("Marshal(Raw %s) = %s, %v", raw, got, err)
		}
	}
}

func TestCodecTable(t *testing.T) {
	id := strings.Repeat("A", 43)
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"plain", `{"i":"` + id + `","c":1700000000,"d":{"email":"a@b"}}`, true},
		{"flashes", `{"i":"x","c":1,"f":{"m":["hi",{"a":[1,2]}],"n":null,"o":[]},"d":null}`, true},
		{"white space", " \t\n{ \"d\" : [ 1 , 2 ] , \"c\" : -3 , \"i\" : \"\\u0041\" }\r\n", true},
		{"empty object", `{}`, true},
		{"null flashes", `{"f":null}`, true},
		{"repeated flash key", `{"f":{"m":[1],"m":[2]}}`, true},
		{"data nested 9999 deep", `{"d":` + deep(9999) + `}`, true},
		{"data nested 10000 deep", `{"d":` + deep(10000) + `}`, false},
		{"unknown key", `{"i":"x","c":1,"d":1,"x":2}`, false},
		{"key in another case", `{"I":"x"}`, false},
		{"repeated key", `{"i":"x","i":"y"}`, false},
		{"fractional time", `{"c":1.5}`, false},
		{"exponent time", `{"c":1e3}`, false},
		{"time beyond int64", `{"c":9223372036854775808}`, false},
		{"time below int64", `{"c":-9223372036854775809}`, false},
		{"largest time", `{"c":9223372036854775807}`, true},
		{"smallest time", `{"c":-9223372036854775808}`, true},
		{"negative zero time", `{"c":-0}`, true},
		{"long time", `{"c":12345678901234567890123}`, false},
		{"null ID", `{"i":null}`, false},
		{"number ID", `{"i":1}`, false},
		{"flashes not arrays", `{"f":{"m":"x"}}`, false},
		{"flashes an array", `{"f":[]}`, false},
		{"trailing data", `{"d":1} {}`, false},
		{"trailing comma", `{"d":1,}`, false},
		{"bad literal", `{"d":tru}`, false},
		{"bad number", `{"d":01}`, false},
		{"bad number 2", `{"d":1.}`, false},
		{"bad number 3", `{"d":-}`, false},
		{"invalid UTF-8", "{\"i\":\"\xff\"}", false},
		{"lone surrogate", `{"i":"\ud800"}`, false},
		{"control byte", "{\"i\":\"\x01\"}", false},
		{"not an object", `[]`, false},
		{"empty", ``, false},
		{"truncated", `{"i":"x"`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got cookiestore.Envelope
			err := gate.Codec{}.Unmarshal([]byte(tc.in), &got)
			if (err == nil) != tc.ok {
				t.Fatalf("Unmarshal: %v, want ok=%v", err, tc.ok)
			}
			if err != nil {
				return
			}
			var want cookiestore.Envelope
			if err := json.Unmarshal([]byte(tc.in), &want); err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("got %+v, encoding/json %+v (%v)", got, want, err)
			}
		})
	}
}

func TestCodecRaw(t *testing.T) {
	var c gate.Codec
	for _, tc := range []struct {
		in   string
		want string // "" when refused
	}{
		{`{"a":1}`, `{"a":1}`},
		{" \n [1, 2] \t", `[1, 2]`},
		{`null`, `null`},
		{`"x"`, `"x"`},
		{`-0.5e+3`, `-0.5e+3`},
		{`{"a":1} x`, ""},
		{`{"a":}`, ""},
		{``, ""},
		{`nul`, ""},
	} {
		var r cookiestore.Raw
		err := c.Unmarshal([]byte(tc.in), &r)
		if tc.want == "" {
			if err == nil {
				t.Errorf("Unmarshal(%q) accepted: %s", tc.in, r)
			}
			if err := json.Unmarshal([]byte(tc.in), &r); err == nil {
				t.Errorf("%q: encoding/json accepts it", tc.in)
			}
			continue
		}
		if err != nil || string(r) != tc.want {
			t.Errorf("Unmarshal(%q) = %s, %v", tc.in, r, err)
		}
	}
	// Marshal checks that the data is one JSON value, and compacts it
	// as JSONCodec does.
	for _, in := range []string{" [ 1 , \"<a & b>\" ,\n{\"\u2028\":\"\\\" \u2029\"} ] ", `"\\<"`} {
		r := cookiestore.Raw(in)
		got, err := c.Marshal(&r)
		if want := must(json.Marshal(r)); err != nil || !bytes.Equal(got, want) {
			t.Errorf("Marshal(%q) = %s, %v; JSONCodec %s", in, got, err, want)
		}
	}
	for _, bad := range []string{`{`, `1 2`, `x`, `"\<"`} {
		r := cookiestore.Raw(bad)
		if _, err := c.Marshal(&r); err == nil {
			t.Errorf("Marshal(%q) accepted", bad)
		}
	}
	var empty cookiestore.Raw
	if b, err := c.Marshal(&empty); err != nil || string(b) != "null" {
		t.Errorf("Marshal(empty) = %s, %v", b, err)
	}
	// Other types, such as flash values, are refused.
	if _, err := c.Marshal("hello"); err == nil {
		t.Error("Marshal(string) accepted")
	}
	var s string
	if err := c.Unmarshal([]byte(`"x"`), &s); err == nil {
		t.Error("Unmarshal into *string accepted")
	}
}

// FuzzCodecUnmarshal: whatever Codec accepts as a record, encoding/json
// reads the same way, and a garbage input never panics.
func FuzzCodecUnmarshal(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 8; i++ {
		b, _ := cookiestore.JSONCodec{}.Marshal(randomEnvelope(r))
		f.Add(b)
	}
	f.Add([]byte(`{"i":"x","c":1,"f":{"m":["hi"]},"d":{"email":"a@b"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got cookiestore.Envelope
		if (gate.Codec{}).Unmarshal(data, &got) != nil {
			return
		}
		var want cookiestore.Envelope
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("accepted %q that encoding/json refuses: %v", data, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: got %+v, encoding/json %+v", data, got, want)
		}
	})
}

// FuzzCodecRaw: Codec writes session data exactly as JSONCodec does,
// and refuses whatever JSONCodec refuses.
func FuzzCodecRaw(f *testing.F) {
	f.Add([]byte(` {"a" : [1, "<\u2028>"]} `))
	f.Add([]byte(`"\\\"&"`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := cookiestore.Raw(data)
		got, err := gate.Codec{}.Marshal(&r)
		want, wantErr := cookiestore.JSONCodec{}.Marshal(&r)
		if wantErr != nil && err == nil {
			t.Fatalf("%q: accepted what JSONCodec refuses (%v)", data, wantErr)
		}
		if err == nil && !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s, JSONCodec %s", data, got, want)
		}
	})
}
