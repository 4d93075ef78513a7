package cookiestore

import (
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
		got, ok := parseJSONRecord(b)
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
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := parseJSONRecord(b)
		if !ok {
			return
		}
		var want Envelope
		if err := json.Unmarshal(b, &want); err != nil {
			// The fast path leaves the data to the data's decoder,
			// which refuses what is not one JSON value.
			if json.Valid(got.Data) {
				t.Fatalf("fast path accepted %q, encoding/json refuses it: %v", b, err)
			}
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n got %+v\nwant %+v", b, got, want)
		}
	})
}
