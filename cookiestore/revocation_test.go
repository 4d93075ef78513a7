package cookiestore_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crumbkit/crumb/cookiestore"
)

// listRevoker is a Revoker over a map, which the test can take down. (The
// real one, kvstore.Revocations, is tested against real stores in
// package kvstore.)
type listRevoker struct {
	mu      sync.Mutex
	ids     map[string]time.Time // revoked until
	users   map[string]time.Time // sessions created up to this are revoked
	down    bool
	checked []cookiestore.SessionInfo
}

var errListDown = errors.New("revocation list unreachable")

func newListRevoker() *listRevoker {
	return &listRevoker{ids: map[string]time.Time{}, users: map[string]time.Time{}}
}

func (l *listRevoker) Check(_ context.Context, s cookiestore.SessionInfo) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.checked = append(l.checked, s)
	switch {
	case l.down:
		return errListDown
	case !l.ids[s.ID].IsZero():
		return cookiestore.ErrRevoked
	case s.User != "" && !l.users[s.User].IsZero() && !s.Created.After(l.users[s.User]):
		return cookiestore.ErrRevoked
	}
	return nil
}

func (l *listRevoker) Revoke(_ context.Context, s cookiestore.SessionInfo) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.down {
		return errListDown
	}
	l.ids[s.ID] = s.End
	return nil
}

func (l *listRevoker) last() cookiestore.SessionInfo {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.checked[len(l.checked)-1]
}

// TestRevocationEngine: the engine asks the Revoker about every session
// it opens, with the ID, the user, the creation time and the absolute
// end; a revoked session is a fresh one with ErrRevoked; Destroy revokes
// on Commit; a list that is down is ErrBackend, or, where
// RevocationFailOpen allows it, an unverified session that is never
// saved.
func TestRevocationEngine(t *testing.T) {
	l := newListRevoker()
	var failOpen bool
	e := newEnv(t, ring(t), cookiestore.Options[account]{
		IdleTimeout: time.Hour, AbsoluteTimeout: 10 * time.Hour,
		User:               func(a *account) string { return a.Email },
		Revocation:         l,
		RevocationFailOpen: func(ctx context.Context) bool { return failOpen && cookiestore.ReadOnlyRequest(ctx) },
	})
	var id string
	e.request(func(s *cookiestore.Session[account]) { s.Data.Email = "ada@example.com"; id = s.ID() })
	created := e.clk.Now().Truncate(time.Second)
	e.clk.Advance(time.Minute)
	if _, err := e.request(func(s *cookiestore.Session[account]) {
		if s.IsNew() || s.Unverified() {
			t.Fatal("a live session was not loaded")
		}
	}); err != nil {
		t.Fatal(err)
	}
	want := cookiestore.SessionInfo{ID: id, User: "ada@example.com", Created: created, End: created.Add(10 * time.Hour)}
	if got := l.last(); got.ID != want.ID || got.User != want.User || !got.Created.Equal(want.Created) || !got.End.Equal(want.End) {
		t.Fatalf("the Revoker saw %+v, want %+v", got, want)
	}

	// The list is down: ErrBackend, whatever the method, unless fail-open.
	l.down = true
	ctx := cookiestore.WithRequestMethod(context.Background(), "GET")
	s, err := e.store.LoadHeader(ctx, e.header())
	if !errors.Is(err, cookiestore.ErrBackend) || !errors.Is(err, errListDown) || !s.IsNew() {
		t.Fatalf("list down: %v, new %v; want ErrBackend and no session", err, s.IsNew())
	}
	failOpen = true
	s, err = e.store.LoadHeader(ctx, e.header())
	if err != nil || s.IsNew() || !s.Unverified() || s.Data.Email != "ada@example.com" {
		t.Fatalf("list down, fail open, GET: %v; want the session, unverified", err)
	}
	if errs := e.errs; len(errs) == 0 || !errors.Is(errs[len(errs)-1], cookiestore.ErrBackend) {
		t.Fatalf("fail open without a report to OnError: %v", errs)
	}
	e.clk.Advance(30 * time.Minute) // renewal due
	if lines, err := e.store.Commit(ctx, s); err != nil || len(lines) != 0 {
		t.Fatalf("unverified, renewal due: %d lines, %v; want none", len(lines), err)
	}
	s, _ = e.store.LoadHeader(ctx, e.header())
	s.Data.Failed++
	if lines, err := e.store.Commit(ctx, s); !errors.Is(err, cookiestore.ErrBackend) || lines != nil {
		t.Fatalf("unverified, changed: %v; want ErrBackend and no lines", err)
	}
	post := cookiestore.WithRequestMethod(context.Background(), "POST")
	if _, err := e.store.LoadHeader(post, e.header()); !errors.Is(err, cookiestore.ErrBackend) {
		t.Fatalf("list down, fail open, POST: %v; want ErrBackend", err)
	}
	// Destroy needs the list to revoke: ErrBackend, the cookie kept.
	s, _ = e.store.LoadHeader(ctx, e.header())
	s.Destroy()
	if _, err := e.store.Commit(ctx, s); !errors.Is(err, cookiestore.ErrBackend) {
		t.Fatalf("Destroy with the list down: %v; want ErrBackend", err)
	}
	l.down, failOpen = false, false

	// Logout revokes; a copy of the cookie opens a fresh session.
	copied := e.header()
	e.request(func(s *cookiestore.Session[account]) { s.Destroy() })
	if !l.ids[id].Equal(want.End) {
		t.Fatalf("Destroy revoked until %v, want the absolute end %v", l.ids[id], want.End)
	}
	s, err = e.store.LoadHeader(context.Background(), copied)
	if !errors.Is(err, cookiestore.ErrRevoked) || !s.IsNew() || s.Data.Email != "" {
		t.Fatalf("copy of a logged-out cookie: %v, %+v", err, s.Data)
	}
	if strings.Contains(err.Error(), id) {
		t.Fatal("the error names the session ID")
	}
	lines, _ := e.store.Commit(context.Background(), s)
	if len(lines) != 1 || !strings.Contains(lines[0], "Max-Age=0") {
		t.Fatalf("a revoked cookie is not cleared: %q", lines)
	}

	// Log out everywhere: sessions created up to the marker.
	e.jar, e.order = map[string]string{}, nil
	e.request(func(s *cookiestore.Session[account]) { s.Data.Email = "ada@example.com" })
	before := e.header()
	e.clk.Advance(time.Second)
	l.users["ada@example.com"] = e.clk.Now()
	e.clk.Advance(time.Second)
	e.jar, e.order = map[string]string{}, nil
	e.request(func(s *cookiestore.Session[account]) { s.Data.Email = "ada@example.com" })
	if _, err := e.store.LoadHeader(context.Background(), before); !errors.Is(err, cookiestore.ErrRevoked) {
		t.Fatalf("a session created before the user's marker: %v", err)
	}
	if s, err := e.store.LoadHeader(context.Background(), e.header()); err != nil || s.Data.Email != "ada@example.com" {
		t.Fatalf("a session created after the user's marker: %v", err)
	}
}
