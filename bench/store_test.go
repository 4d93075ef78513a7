package bench

import (
	"net/http"
	"reflect"
	"sync"
	"testing"
)

func TestStoreFlows(t *testing.T) {
	k := testKeys(t)
	var (
		mu   sync.Mutex
		last Session
	)
	flows, err := StoreFlows(k, func(s Session) {
		mu.Lock()
		last = s
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Typical()
	for _, f := range flows {
		if f.Kind == KindBare {
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			cookie, err := f.Login()
			if err != nil {
				t.Fatal(err)
			}

			rec := f.Do(pathRead, cookie)
			if rec.Code != http.StatusOK {
				t.Fatalf("unchanged request: status %d", rec.Code)
			}
			if sc := rec.Header()["Set-Cookie"]; len(sc) != 0 {
				t.Fatalf("unchanged session re-set its cookie (%d lines)", len(sc))
			}
			if !reflect.DeepEqual(last, want) {
				t.Fatalf("handler read %+v, want %+v", last, want)
			}

			rec = f.Do(pathChange, cookie)
			if rec.Code != http.StatusOK {
				t.Fatalf("changed request: status %d", rec.Code)
			}
			var next string
			for _, c := range rec.Result().Cookies() {
				if c.Name == CookieName {
					next = c.Name + "=" + c.Value
				}
			}
			if next == "" || next == cookie {
				t.Fatal("changed session set no new cookie")
			}
			rec = f.Do(pathRead, next)
			if rec.Code != http.StatusOK || last.LastSeen != want.LastSeen+1 {
				t.Fatalf("the change did not persist: status %d, LastSeen %d", rec.Code, last.LastSeen)
			}

			// A tampered cookie is not accepted as the user.
			if rec := f.Do(pathRead, flip(cookie)); rec.Code == http.StatusOK {
				t.Fatal("a tampered cookie was accepted")
			}
		})
	}
}

func TestStoreCases(t *testing.T) {
	cs, note, err := StoreCases(testKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 8 || note != "" {
		t.Fatalf("got %d store cases and note %q, want 8 and none", len(cs), note)
	}
}
