package cookiestore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/encrypted"
)

// FuzzRecord: whatever record a cookie carries (sealed with the
// store's own key, so only a Store with other rules, a bug or a custom
// Codec could have written it), loading it never panics; it gives a
// fresh session with an error, or a session whose lifetime stays
// within MaxTimeout and whose flashes, lifetime and Commit work.
func FuzzRecord(f *testing.F) {
	id := strings.Repeat("A", 43)
	for _, s := range []string{
		`{"i":"` + id + `","c":1772366400,"d":{"email":"a"}}`,
		`{"i":"` + id + `","c":1772366400,"t":3600,"r":900,"a":1772452800,"b":true,"d":{}}`,
		`{"i":"` + id + `","c":1772366400,"f":{"form":[null,{"a":["1"]}],"n":["x",3]},"d":{}}`,
		`{"i":"` + id + `","c":9223372036854775807,"t":60,"r":1,"a":-9223372036854775808,"d":{}}`,
		`{"i":"` + id + `","c":1772366400,"d":null}`,
	} {
		f.Add([]byte(s))
	}
	clk := newClock()
	sealer := encrypted.New(ring(f), crumb.WithClock(clk.Now))
	st, err := cookiestore.New(sealer, cookiestore.Options[account]{Now: clk.Now})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, rec []byte) {
		v, err := sealer.Seal("__Host-session", rec, clk.Now().Add(time.Hour))
		if err != nil {
			return
		}
		ctx := context.Background()
		s, err := st.LoadHeader(ctx, "__Host-session="+v)
		if err != nil {
			if !s.IsNew() {
				t.Fatalf("refused record (%v) did not give a fresh session", err)
			}
			return
		}
		if l := s.Lifetime(); l.Idle > cookiestore.MaxTimeout || l.Absolute > cookiestore.MaxTimeout || l.RenewAfter > l.Idle {
			t.Fatalf("accepted lifetime out of bounds: %+v", l)
		}
		for _, k := range s.FlashKeys() {
			s.Flashes(k)
		}
		cookiestore.AllFlashes[any](s)
		s.FlashedForm("form")
		s.RenewalDue()
		s.MarkChanged()
		if _, err := st.Commit(ctx, s); err != nil {
			t.Logf("Commit: %v", err)
		}
	})
}
