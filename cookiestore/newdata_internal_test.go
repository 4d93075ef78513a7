package cookiestore

import (
	"testing"

	"github.com/crumbkit/crumb/encrypted"
)

// TestMapDataFromNull: a record of a named map type whose data is null
// loads as a usable empty map (makeMap stores the map as one pointer),
// and a fresh session of it gets one too.
func TestMapDataFromNull(t *testing.T) {
	type counters map[string]int
	st, err := New(encrypted.New(mustRing(t)), Options[counters]{Name: "s"})
	if err != nil {
		t.Fatal(err)
	}
	s := &Session[counters]{}
	if err := st.loadData(s, []byte("null")); err != nil {
		t.Fatal(err)
	}
	if s.Data != nil {
		t.Fatalf("null decoded to %v", s.Data)
	}
	st.fixMap(s)
	s.Data["a"]++ // a nil map would panic here
	if s.Data["a"] != 1 || len(s.Data) != 1 {
		t.Fatalf("after fixMap: %v", s.Data)
	}
	fresh := &Session[counters]{}
	st.initData(&fresh.Data)
	fresh.Data["b"] = 2
	if len(fresh.Data) != 1 || len(s.Data) != 1 {
		t.Fatalf("fresh map shared or lost: %v %v", fresh.Data, s.Data)
	}
}
