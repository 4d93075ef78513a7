package cookiestore

import (
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/keys"
)

type cachedInner struct {
	Tags []string `json:"tags"`
	N    int      `json:"n"`
}

type cachedData struct {
	Email string        `json:"email"`
	Roles []string      `json:"roles"`
	Bytes []byte        `json:"bytes"`
	Items []cachedInner `json:"items"`
	Grid  [2][]int      `json:"grid"`
	hits  int
}

func cachedStore(t *testing.T, n int) *Store[cachedData] {
	t.Helper()
	r, err := keys.GenerateRing(nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := New(encrypted.New(r), Options[cachedData]{Name: "s", DecodeCache: n})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// cacheLen is the number of entries in st's decode cache.
func cacheLen[T any](st *Store[T]) int { return st.decoded.(*decodeCache).len() }

func (c *decodeCache) len() int {
	n := 0
	for i := range c.shards {
		sh := &c.shards[i]
		sh.mu.Lock()
		if len(sh.index) > cap(sh.slots) {
			n = -1 << 30
		}
		n += len(sh.index)
		sh.mu.Unlock()
	}
	return n
}

// cookieOf turns the first Set-Cookie line into a Cookie header.
func cookieOf(t *testing.T, lines []string) string {
	t.Helper()
	if len(lines) == 0 {
		t.Fatal("no Set-Cookie line")
	}
	return strings.Split(lines[0], ";")[0]
}

func fullData() cachedData {
	return cachedData{
		Email: "ada@example.com",
		Roles: []string{"member", "editor"},
		Bytes: []byte("raw"),
		Items: []cachedInner{{Tags: []string{"a", "b"}, N: 1}},
		Grid:  [2][]int{{1, 2}, {3}},
	}
}

// seedSession commits d as a new session and returns its Cookie header.
func seedSession(t *testing.T, st *Store[cachedData], d cachedData) string {
	t.Helper()
	ctx := context.Background()
	s, _ := st.LoadHeader(ctx, "")
	s.Data = d
	lines, err := st.Commit(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	return cookieOf(t, lines)
}

func TestCloneType(t *testing.T) {
	cases := []struct {
		name string
		v    any
		want bool
	}{
		{"session data", cachedData{}, true},
		{"string slice", []string{}, true},
		{"bytes", []byte{}, true},
		{"unexported int", struct{ n int }{}, true},
		{"unexported slice", struct{ s []string }{}, false},
		{"float", struct{ F float64 }{}, false},
		{"map", map[string]string{}, false},
		{"pointer", struct{ P *int }{}, false},
		{"interface", struct{ V any }{}, false},
		{"time.Time", time.Time{}, false},
		{"raw message", json.RawMessage{}, false},
		{"slice of marshalers", []textID{}, false},
		{"UnmarshalJSON", struct{ R Raw }{}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := cloneType(reflect.TypeOf(tc.v)); got != tc.want {
				t.Fatalf("cloneType(%T) = %v, want %v", tc.v, got, tc.want)
			}
		})
	}
}

// TestDecodeCacheCopiesShareNothing: a handler that changes the
// loaded data in place (slice elements, nested slices) changes neither
// the cached value nor what the next request with the same cookie
// loads.
func TestDecodeCacheCopiesShareNothing(t *testing.T) {
	ctx := context.Background()
	st := cachedStore(t, 0)
	cookie := seedSession(t, st, fullData())
	for round := range 3 {
		s, err := st.LoadHeader(ctx, cookie)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(s.Data, fullData()) {
			t.Fatalf("round %d loaded %+v", round, s.Data)
		}
		if round > 0 && s.frozen == nil {
			t.Fatalf("round %d: not served from the cache", round)
		}
		s.Data.Roles[0] = "admin"
		s.Data.Bytes[0] = 'X'
		s.Data.Items[0].Tags[1] = "z"
		s.Data.Grid[1][0] = 9
		s.Data.Roles = append(s.Data.Roles[:1], "x")
	}
	if n := cacheLen(st); n != 1 {
		t.Fatalf("cache holds %d entries, want 1", n)
	}
}

// TestDecodeCacheSeesEveryChange: with the data served from the cache,
// each change below still saves, and no change saves nothing.
func TestDecodeCacheSeesEveryChange(t *testing.T) {
	ctx := context.Background()
	st := cachedStore(t, 0)
	cookie := seedSession(t, st, fullData())
	nilRoles := fullData()
	nilRoles.Roles = nil
	nilCookie := seedSession(t, st, nilRoles)
	cases := []struct {
		name   string
		cookie string
		change func(d *cachedData)
		saves  bool
	}{
		{"nothing", cookie, func(d *cachedData) {}, false},
		{"same values rewritten", cookie, func(d *cachedData) { d.Roles = []string{"member", "editor"}; d.Email = "ada@example.com" }, false},
		{"string", cookie, func(d *cachedData) { d.Email = "b@example.com" }, true},
		{"slice element", cookie, func(d *cachedData) { d.Roles[1] = "owner" }, true},
		{"append", cookie, func(d *cachedData) { d.Roles = append(d.Roles, "x") }, true},
		{"truncate", cookie, func(d *cachedData) { d.Roles = d.Roles[:1] }, true},
		{"non-empty to nil", cookie, func(d *cachedData) { d.Roles = nil }, true},
		{"nil to empty", nilCookie, func(d *cachedData) { d.Roles = []string{} }, true},
		{"bytes", cookie, func(d *cachedData) { d.Bytes[2] = 'W' }, true},
		{"nested slice", cookie, func(d *cachedData) { d.Items[0].Tags[0] = "q" }, true},
		{"slice in array", cookie, func(d *cachedData) { d.Grid[0] = append(d.Grid[0], 5) }, true},
		{"unexported field only", cookie, func(d *cachedData) { d.hits++ }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for i := range 2 { // the first load may decode; the second hits
				s, err := st.LoadHeader(ctx, tc.cookie)
				if err != nil {
					t.Fatal(err)
				}
				if i == 1 && s.frozen == nil {
					t.Fatal("not served from the cache")
				}
				tc.change(&s.Data)
				lines, err := st.Commit(ctx, s)
				if err != nil {
					t.Fatal(err)
				}
				if saved := len(lines) > 0; saved != tc.saves {
					t.Fatalf("load %d: saved = %v, want %v", i, saved, tc.saves)
				}
			}
		})
	}
}

// TestDecodeCacheOnlyDecodedData: cookies that do not open, and
// genuine records whose data does not decode into T, add nothing.
func TestDecodeCacheOnlyDecodedData(t *testing.T) {
	ctx := context.Background()
	r, err := keys.GenerateRing(nil)
	if err != nil {
		t.Fatal(err)
	}
	sealer := encrypted.New(r)
	st, err := New(sealer, Options[cachedData]{Name: "s"})
	if err != nil {
		t.Fatal(err)
	}
	// Same sealer and name, a type whose data cannot decode as cachedData.
	other, err := New(sealer, Options[struct {
		Roles string `json:"roles"`
	}]{Name: "s"})
	if err != nil {
		t.Fatal(err)
	}
	o, _ := other.LoadHeader(ctx, "")
	o.Data.Roles = "admin"
	lines, err := other.Commit(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	wrongType := cookieOf(t, lines)
	good := seedSession(t, st, fullData())
	value := strings.TrimPrefix(good, "s=")
	tampered := "s=" + value[:len(value)-2] + map[bool]string{true: "AA", false: "AQ"}[strings.HasSuffix(value, "AA")]
	for _, c := range []string{wrongType, tampered, "s=garbage", "s=" + strings.Repeat("A", 200)} {
		if s, err := st.LoadHeader(ctx, c); err == nil || !s.IsNew() {
			t.Fatalf("cookie %.20q loaded", c)
		}
	}
	if n := cacheLen(st); n != 0 {
		t.Fatalf("cache holds %d entries after cookies that did not load", n)
	}
	if _, err := st.LoadHeader(ctx, good); err != nil {
		t.Fatal(err)
	}
	if n := cacheLen(st); n != 1 {
		t.Fatalf("cache holds %d entries, want 1", n)
	}
}

func TestDecodeCacheBoundedAndOptional(t *testing.T) {
	ctx := context.Background()
	st := cachedStore(t, 4)
	for i := range 50 {
		d := fullData()
		d.Email = strconv.Itoa(i) + "@example.com"
		if _, err := st.LoadHeader(ctx, seedSession(t, st, d)); err != nil {
			t.Fatal(err)
		}
		if n := cacheLen(st); n > 4 || n < 0 {
			t.Fatalf("cache holds %d entries, size 4", n)
		}
	}
	// Data over the size limit is decoded every time.
	big := fullData()
	big.Email = strings.Repeat("x", maxDecodeCacheData)
	fresh := cachedStore(t, 4)
	bigCookie := seedSession(t, fresh, big)
	for range 2 {
		s, err := fresh.LoadHeader(ctx, bigCookie)
		if err != nil || s.Data.Email != big.Email {
			t.Fatalf("large data: %v", err)
		}
	}
	if n := cacheLen(fresh); n != 0 {
		t.Errorf("data over %d bytes entered the cache", maxDecodeCacheData)
	}
	if off := cachedStore(t, -1); off.decoded != nil {
		t.Error("DecodeCache < 0 left a cache")
	}
	plainFloat, err := New(encrypted.New(mustRing(t)), Options[struct{ F float64 }]{Name: "s"})
	if err != nil {
		t.Fatal(err)
	}
	if plainFloat.decoded != nil {
		t.Error("a float field got a decode cache")
	}
}

func mustRing(t *testing.T) *keys.Ring {
	t.Helper()
	r, err := keys.GenerateRing(nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestDecodeCacheConcurrent loads the same cookies from 8 goroutines
// and changes each copy in place (run it under -race: a copy sharing
// memory with the cache or with another request is a data race).
func TestDecodeCacheConcurrent(t *testing.T) {
	ctx := context.Background()
	st := cachedStore(t, 3)
	var cookies []string
	for i := range 6 {
		d := fullData()
		d.Email = strconv.Itoa(i)
		cookies = append(cookies, seedSession(t, st, d))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				j := (g + i) % len(cookies)
				s, err := st.LoadHeader(ctx, cookies[j])
				if err != nil || s.Data.Email != strconv.Itoa(j) || s.Data.Roles[0] != "member" || s.Data.Items[0].Tags[0] != "a" {
					t.Errorf("loaded %+v, %v", s.Data, err)
					return
				}
				s.Data.Roles[0] = "g" + strconv.Itoa(g)
				s.Data.Items[0].Tags[0] = "g"
				s.Data.Grid[0][0] = g
			}
		}()
	}
	wg.Wait()
}

// TestDecodeCacheOnlyFromZero: a decode into data that is not the zero
// value (defaults filled in first, say) depends on more than the bytes,
// so it neither uses nor fills the cache.
func TestDecodeCacheOnlyFromZero(t *testing.T) {
	st := cachedStore(t, 0)
	data := []byte(`{"email":"a@example.com"}`)
	s := &Session[cachedData]{Data: cachedData{Roles: []string{"default"}}}
	if err := st.loadData(s, data); err != nil {
		t.Fatal(err)
	}
	if s.frozen != nil || cacheLen(st) != 0 || s.Data.Roles[0] != "default" {
		t.Fatalf("prefilled decode: frozen %v, %d entries, data %+v", s.frozen != nil, cacheLen(st), s.Data)
	}
	z := &Session[cachedData]{}
	if err := st.loadData(z, data); err != nil {
		t.Fatal(err)
	}
	if z.frozen == nil || cacheLen(st) != 1 || z.Data.Roles != nil {
		t.Fatalf("decode into zero: frozen %v, %d entries, data %+v", z.frozen != nil, cacheLen(st), z.Data)
	}
	// The cached value is the zero-based decode, whatever was loaded
	// into prefilled data before.
	if err := st.loadData(s, data); err != nil || s.frozen != nil {
		t.Fatalf("prefilled decode after the cache filled: %v, frozen %v", err, s.frozen != nil)
	}
}

// TestDecodeCacheKeepsEmptyApartFromNil: an empty slice comes out of
// the cache empty, not nil (they encode differently), and nil stays nil.
func TestDecodeCacheKeepsEmptyApartFromNil(t *testing.T) {
	ctx := context.Background()
	st := cachedStore(t, 0)
	empty := fullData()
	empty.Roles, empty.Bytes, empty.Items = []string{}, []byte{}, nil
	cookie := seedSession(t, st, empty)
	for i := range 3 {
		s, err := st.LoadHeader(ctx, cookie)
		if err != nil {
			t.Fatal(err)
		}
		if s.Data.Roles == nil || len(s.Data.Roles) != 0 || s.Data.Items != nil {
			t.Fatalf("load %d: Roles %#v, Items %#v", i, s.Data.Roles, s.Data.Items)
		}
		if lines, err := st.Commit(ctx, s); err != nil || len(lines) != 0 {
			t.Fatalf("load %d: unchanged session saved: %v, %v", i, lines, err)
		}
	}
}
