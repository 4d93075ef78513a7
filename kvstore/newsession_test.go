package kvstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/kvstore"
)

// A new session's first save is one store call on every store: a
// create-only write (SET NX) where the store has conditional writes, a
// plain put on Cloudflare, and no tombstone read. Saves of an ID that
// came from a cookie keep their checks.
func TestNewSessionSaveIsOneStoreCall(t *testing.T) {
	for _, st := range revocationStores(t) {
		t.Run(st.name, func(t *testing.T) {
			store := &counting{Store: st.store(t)}
			e := newEngine(t, store, "new1:"+st.name+":")

			s := e.load(t, "")
			s.Data.User = "ada"
			before := store.calls()
			cookie := e.commit(t, s)
			if got := diff(store.calls(), before); got != [4]int64{0, 1, 0, 0} {
				t.Fatalf("new session's save: %v calls (get, set, touch, delete), want exactly one set", got)
			}
			if _, data, err := e.sessions.Load(context.Background(), s.ID()); err != nil || len(data) == 0 {
				t.Fatalf("the new session's record: %d bytes, %v", len(data), err)
			}

			// Login: the new identity is one write, then one read of
			// the old ID's tombstone (a logout meanwhile must not live
			// on under the new ID); the old one's revocation
			// (tombstone, then DEL) follows.
			s = e.load(t, cookie)
			s.Regenerate()
			s.Data.User = "admin"
			before = store.calls()
			next := e.commit(t, s)
			if got := diff(store.calls(), before); got != [4]int64{1, 2, 0, 1} {
				t.Fatalf("Regenerate's save: %v calls, want one set for the new ID, a tombstone check, then the old ID's tombstone and delete", got)
			}
			if c := e.load(t, next); c.Data.User != "admin" {
				t.Fatalf("after Regenerate: %+v", c.Data)
			}

			// A change to the loaded session is not New: on stores with
			// conditional writes it is SET XX, on Cloudflare a tombstone
			// read and a put.
			s = e.load(t, next)
			s.Data.N++
			before = store.calls()
			e.commit(t, s)
			want := [4]int64{0, 1, 0, 0}
			if st.name == "cloudflare" {
				want = [4]int64{1, 1, 0, 0}
			}
			if got := diff(store.calls(), before); got != want {
				t.Fatalf("change of a live session: %v calls, want %v", got, want)
			}
		})
	}
}

func diff(a, b [4]int64) [4]int64 {
	return [4]int64{a[0] - b[0], a[1] - b[1], a[2] - b[2], a[3] - b[3]}
}

// recordingBackend records the Record of every Save.
type recordingBackend struct {
	cookiestore.Backend
	saves []cookiestore.Record
}

func (r *recordingBackend) Save(ctx context.Context, rec cookiestore.Record) ([]byte, error) {
	r.saves = append(r.saves, rec)
	return r.Backend.Save(ctx, rec)
}

// Record.New is true exactly when the ID was never saved: a fresh
// session, and a new identity after Regenerate or Destroy; false for an
// ID from the cookie and for a second Commit of the same identity. A
// wrong true would let a save recreate a revoked record, so each case
// is checked.
func TestRecordNew(t *testing.T) {
	cases := []struct {
		name string
		// run does one request over cookie and returns the New flags
		// of its saves.
		run  func(t *testing.T, e *newEngineT, cookie string) []bool
		want []bool
	}{
		{"fresh session", func(t *testing.T, e *newEngineT, _ string) []bool {
			s := e.load(t, "")
			s.Data.User = "bob"
			e.commit(t, s)
			return e.flags()
		}, []bool{true}},
		{"fresh session, ID read before the save", func(t *testing.T, e *newEngineT, _ string) []bool {
			s := e.load(t, "")
			_ = s.ID() // e.g. to bind a CSRF token
			s.MarkChanged()
			e.commit(t, s)
			return e.flags()
		}, []bool{true}},
		{"fresh session, committed twice", func(t *testing.T, e *newEngineT, _ string) []bool {
			s := e.load(t, "")
			s.Data.User = "bob"
			e.commit(t, s)
			s.Data.N++
			e.commit(t, s)
			return e.flags()
		}, []bool{true, false}},
		{"loaded, changed", func(t *testing.T, e *newEngineT, cookie string) []bool {
			s := e.load(t, cookie)
			s.Data.N++
			e.commit(t, s)
			return e.flags()
		}, []bool{false}},
		{"loaded, renewed", func(t *testing.T, e *newEngineT, cookie string) []bool {
			e.clk.Add(7 * time.Hour)
			s := e.load(t, cookie)
			e.commit(t, s)
			return e.flags()
		}, []bool{false}},
		{"loaded, regenerated", func(t *testing.T, e *newEngineT, cookie string) []bool {
			s := e.load(t, cookie)
			s.Regenerate()
			e.commit(t, s)
			s.Data.N++
			e.commit(t, s)
			return e.flags()
		}, []bool{true, false}},
		{"loaded, destroyed, then a new session", func(t *testing.T, e *newEngineT, cookie string) []bool {
			s := e.load(t, cookie)
			s.Destroy()
			s.Data.User = "eve"
			e.commit(t, s)
			return e.flags()
		}, []bool{true}},
		{"saved, then regenerated in the same request", func(t *testing.T, e *newEngineT, cookie string) []bool {
			s := e.load(t, cookie)
			s.Data.N++
			e.commit(t, s)
			s.Regenerate()
			e.commit(t, s)
			return e.flags()
		}, []bool{false, true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newRecordingEngine(t, kvstore.NewMemory(kvstore.MemoryConfig{}))
			s := e.load(t, "")
			s.Data.User = "ada"
			cookie := e.commit(t, s)
			e.rec.saves = nil
			got := tc.run(t, e, cookie)
			if len(got) != len(tc.want) {
				t.Fatalf("New flags of the saves: %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("New flags of the saves: %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// newEngineT is an engine whose Backend records its saves.
type newEngineT struct {
	*engine
	rec *recordingBackend
}

func (e *newEngineT) flags() []bool {
	var out []bool
	for _, r := range e.rec.saves {
		out = append(out, r.New)
	}
	return out
}

func newRecordingEngine(t *testing.T, store kvstore.Store) *newEngineT {
	t.Helper()
	rec := &recordingBackend{}
	e := newWrappedEngine(t, store, "", func(b cookiestore.Backend) cookiestore.Backend {
		rec.Backend = b
		return rec
	})
	return &newEngineT{engine: e, rec: rec}
}

// lostAnswer writes on SetIfAbsent and then fails once, as a create
// whose answer a timeout lost.
type lostAnswer struct {
	*kvstore.Memory
	fail bool
}

func (l *lostAnswer) SetIfAbsent(ctx context.Context, key string, v []byte, ttl time.Duration) (bool, error) {
	stored, err := l.Memory.SetIfAbsent(ctx, key, v, ttl)
	if l.fail && err == nil {
		l.fail = false
		return false, kvstore.ErrTimeout
	}
	return stored, err
}

// A new session's create that landed but whose answer was lost leaves
// Record.New true on the retried Commit; the create then finds the
// record it wrote and overwrites it instead of failing.
func TestNewSessionRetryAfterLostAnswer(t *testing.T) {
	store := &lostAnswer{Memory: kvstore.NewMemory(kvstore.MemoryConfig{}), fail: true}
	e := newRecordingEngine(t, store)
	s := e.load(t, "")
	s.Data.User = "ada"
	if lines, err := e.st.Commit(context.Background(), s); err == nil || lines != nil {
		t.Fatalf("first Commit: %v, %d lines; want the store's error and none", err, len(lines))
	}
	s.Data.N = 7
	cookie := e.commit(t, s)
	if got := e.flags(); len(got) != 2 || !got[0] || !got[1] {
		t.Fatalf("New flags of the saves: %v, want [true true]", got)
	}
	if c := e.load(t, cookie); c.Data.User != "ada" || c.Data.N != 7 {
		t.Fatalf("after the retried Commit: %+v", c.Data)
	}
}
