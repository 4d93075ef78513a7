package cookiestore

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestParseJSONRecordMatchesJSON: the fast path reads every record
// json.Marshal writes without flashes, lifetime fields included, as
// encoding/json reads it.
func TestParseJSONRecordMatchesJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 2000; i++ {
		e := Envelope{ID: newID(), Created: r.Int64N(1e10), Data: Raw(`{"a":1}`)}
		if r.IntN(4) > 0 {
			e.Idle, e.Renew, e.Deadline = r.Int64N(3)*r.Int64N(1e7), r.Int64N(3)*r.Int64N(1e6), r.Int64N(2)*r.Int64N(1e10)
			e.Browser = r.IntN(2) == 0
		}
		b, err := json.Marshal(&e)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := parseJSONRecord(b, false)
		if !ok {
			t.Fatalf("fast path refused %s", b)
		}
		var want Envelope
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\n got %+v\nwant %+v", b, got, want)
		}
	}
}

// FuzzParseJSONRecord: whatever the fast path accepts, encoding/json
// reads the same way.
func FuzzParseJSONRecord(f *testing.F) {
	id := newID()
	for _, s := range []string{
		`{"i":"` + id + `","c":1700000000,"d":{}}`,
		`{"i":"` + id + `","c":1700000000,"t":3600,"r":900,"a":1700086400,"d":{"x":1}}`,
		`{"i":"` + id + `","c":1700000000,"t":3600,"r":900,"a":1700086400,"b":true,"d":null}`,
		`{"i":"` + id + `","c":01,"t":0,"d":1}`,
		// Duplicate keys after the data: encoding/json keeps the last,
		// the fast path hands `1,"d":2` to the data's decoder, which
		// refuses it (the record is then refused, never misread).
		`{"i":"` + id + `","c":1700000000,"d":1,"d":2}`,
		`{"i":"` + id + `","c":1700000000,"d":{},"t":99999999}`,
		`{"i":"` + id + `","c":1700000000,"d":1 }`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := parseJSONRecord(b, false)
		if !ok {
			return
		}
		// The fast path leaves the data to the data's decoder, which
		// refuses what is not one JSON value (up to white space): the
		// store then refuses the record, whatever encoding/json makes
		// of it (duplicate keys after the data, say). Refusing a record
		// json.Marshal never writes is safe; reading one differently
		// is not, and is what this target looks for.
		if !json.Valid(got.Data) {
			return
		}
		var want Envelope
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("fast path accepted %q, encoding/json refuses it: %v", b, err)
		}
		// encoding/json hands Raw the value without the white space
		// around it; the fast path keeps what follows it.
		got.Data = bytes.TrimRight(got.Data, " \t\r\n")
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n got %+v\nwant %+v", b, got, want)
		}
	})
}
