package kvstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb/kvstore"
)

func TestSessionID(t *testing.T) {
	seen := map[kvstore.SessionID]bool{}
	for i := 0; i < 1000; i++ {
		id := kvstore.NewSessionID()
		if seen[id] || id.IsZero() {
			t.Fatal("repeated or zero session ID")
		}
		seen[id] = true
		text := id.Encode()
		if len(text) != 43 {
			t.Fatalf("Encode length %d, want 43", len(text))
		}
		back, err := kvstore.ParseSessionID(text)
		if err != nil || !back.Equal(id) {
			t.Fatalf("round trip: %v", err)
		}
		for _, printed := range []string{fmt.Sprint(id), fmt.Sprintf("%v %s %#v %+v", id, id, id, id), id.StoreKey()} {
			if strings.Contains(printed, text) {
				t.Fatalf("%q reveals the session ID", printed)
			}
		}
	}
}

func TestStoreKeyIsAHash(t *testing.T) {
	var id kvstore.SessionID
	// Pinned: changing the derivation would orphan every live session.
	// SHA-256("crumb/kvstore session key v1\x00" || 32 zero bytes).
	if got, want := id.StoreKey(), "2812a912cae5c42a25b09d68002bf7c2f94bc4cd5278cf618be9782a5144acde"; got != want {
		t.Fatalf("StoreKey = %s, want %s", got, want)
	}
	a, b := kvstore.NewSessionID(), kvstore.NewSessionID()
	if a.StoreKey() == b.StoreKey() || strings.Contains(a.StoreKey(), a.Encode()) {
		t.Fatal("store keys collide or contain the ID")
	}
}

// A forged or malformed ID must never reach the network: every store
// here would fail the test if it were called.
func TestMalformedSessionIDsNeverReachTheStore(t *testing.T) {
	valid := kvstore.NewSessionID().Encode()
	bad := []string{
		"", "x", valid[:42], valid + "A", valid + "=",
		strings.Repeat("A", 42) + "B",                    // non-canonical: trailing bits set
		strings.Repeat("+", 43), strings.Repeat("/", 43), // standard, not URL, alphabet
		strings.Repeat(" ", 43), strings.Repeat("\x00", 43), strings.Repeat("é", 22)[:43],
		"../../../../etc/passwd/../../../../../aaaaaa", "%2F" + valid[3:],
		strings.Repeat("A", 4096),
	}
	web, _ := kvstore.NewWebdis(kvstore.WebdisConfig{URL: "http://127.0.0.1:1", Client: failDoer{t}})
	up, _ := kvstore.NewUpstash(kvstore.UpstashConfig{URL: "http://127.0.0.1:1", Token: "t", Client: failDoer{t}})
	cf, _ := kvstore.NewCloudflareKV(kvstore.CloudflareConfig{BaseURL: "http://127.0.0.1:1", AccountID: "a", NamespaceID: "n", Token: "t", Client: failDoer{t}})
	for _, store := range []kvstore.Store{web, up, cf} {
		s := kvstore.NewSessions(store)
		for _, raw := range bad {
			_, _, err := s.Load(context.Background(), raw)
			if !errors.Is(err, kvstore.ErrBadKey) {
				t.Errorf("Load(%.20q): %v, want ErrBadKey", raw, err)
			}
		}
	}
}

// recorder is a Store that logs operations and can fail them, for
// ordering tests.
type recorder struct {
	kvstore.Store
	ops     []string
	failSet bool
	failDel bool
}

// label names a key in r.ops: its last six hex digits, after "r:" for
// a tombstone.
func label(key string) string {
	if strings.Contains(key, ":r:") {
		return "r:" + key[len(key)-6:]
	}
	return key[len(key)-6:]
}

func (r *recorder) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	r.ops = append(r.ops, "set "+label(key))
	if r.failSet {
		return &kvstore.Error{Store: "test", Op: "set", Kind: kvstore.ErrUnavailable}
	}
	return r.Store.Set(ctx, key, v, ttl)
}

func (r *recorder) Delete(ctx context.Context, key string) error {
	r.ops = append(r.ops, "delete "+label(key))
	if r.failDel {
		return &kvstore.Error{Store: "test", Op: "delete", Kind: kvstore.ErrUnavailable}
	}
	return r.Store.Delete(ctx, key)
}

func TestSessionsRegenerate(t *testing.T) {
	ctx := context.Background()
	mem := kvstore.NewMemory(kvstore.MemoryConfig{})
	rec := &recorder{Store: mem}
	s := kvstore.NewSessions(rec)
	old := kvstore.NewSessionID()
	if err := s.Save(ctx, old, []byte("data"), time.Hour); err != nil {
		t.Fatal(err)
	}
	rec.ops = nil
	id, err := s.Regenerate(ctx, old, []byte("data2"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// The recorder hides Memory's conditional writes, so the new record
	// is a plain Set; the old one gets its tombstone before it goes.
	want := []string{"set " + id.StoreKey()[58:], "set r:" + old.StoreKey()[58:], "delete " + old.StoreKey()[58:]}
	if fmt.Sprint(rec.ops) != fmt.Sprint(want) {
		t.Fatalf("ops %v, want write-new, tombstone-old, delete-old %v", rec.ops, want)
	}
	if _, _, err := s.Load(ctx, old.Encode()); !errors.Is(err, kvstore.ErrNotFound) {
		t.Fatalf("old ID still loads: %v", err)
	}
	if _, got, err := s.Load(ctx, id.Encode()); err != nil || string(got) != "data2" {
		t.Fatalf("new ID: %q, %v", got, err)
	}

	t.Run("failed write leaves the old session", func(t *testing.T) {
		rec.failSet = true
		defer func() { rec.failSet = false }()
		rec.ops = nil
		nid, err := s.Regenerate(ctx, id, []byte("x"), time.Hour)
		if !errors.Is(err, kvstore.ErrUnavailable) || !nid.IsZero() {
			t.Fatalf("Regenerate: %v, %v", nid, err)
		}
		if len(rec.ops) != 1 {
			t.Fatalf("ops after a failed write: %v (no delete may follow)", rec.ops)
		}
		if _, _, err := s.Load(ctx, id.Encode()); err != nil {
			t.Fatalf("old session lost: %v", err)
		}
	})
	t.Run("failed delete reports a stale entry", func(t *testing.T) {
		rec.failDel = true
		defer func() { rec.failDel = false }()
		nid, err := s.Regenerate(ctx, id, []byte("x"), time.Hour)
		if !errors.Is(err, kvstore.ErrStaleSession) || nid.IsZero() {
			t.Fatalf("Regenerate: %v, %v", nid, err)
		}
	})
}

func TestSessionsZeroID(t *testing.T) {
	s := kvstore.NewSessions(kvstore.NewMemory(kvstore.MemoryConfig{}))
	if err := s.Save(context.Background(), kvstore.SessionID{}, []byte("x"), time.Hour); !errors.Is(err, kvstore.ErrBadKey) {
		t.Fatalf("Save with zero ID: %v", err)
	}
}

func FuzzParseSessionID(f *testing.F) {
	f.Add(kvstore.NewSessionID().Encode())
	f.Add("")
	f.Add(strings.Repeat("A", 43))
	f.Fuzz(func(t *testing.T, s string) {
		id, err := kvstore.ParseSessionID(s)
		if err != nil {
			if !errors.Is(err, kvstore.ErrBadKey) {
				t.Fatalf("error %v does not wrap ErrBadKey", err)
			}
			return
		}
		if id.Encode() != s {
			t.Fatalf("accepted non-canonical %q", s)
		}
	})
}

func FuzzEncodeWebdisKey(f *testing.F) {
	f.Add("a+b/c.json")
	f.Fuzz(func(t *testing.T, k string) {
		enc := kvstore.EncodeWebdisKey(k)
		for i := 0; i < len(enc); i++ {
			c := enc[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '%') {
				t.Fatalf("unescaped byte %q in %q", c, enc)
			}
		}
	})
}
