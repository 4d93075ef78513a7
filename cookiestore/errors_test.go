package cookiestore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/crumbkit/crumb/cookiestore"
)

// missingBackend is a server-side Backend whose records are all gone,
// reporting it the way package kvstore does: ErrMissing wrapped with
// its own error.
type missingBackend struct{}

func (missingBackend) Load(context.Context, []byte) ([]byte, error) {
	return nil, fmt.Errorf("%w: %w", cookiestore.ErrMissing, errors.New("kvstore: not found"))
}
func (missingBackend) Save(_ context.Context, rec cookiestore.Record) ([]byte, error) {
	return []byte(rec.ID), nil
}
func (missingBackend) Delete(context.Context, []byte) error { return nil }

// TestMissingRecordErrorSaysItOnce: the error of a missing record names
// the kind once, then the backend's own error.
func TestMissingRecordErrorSaysItOnce(t *testing.T) {
	e := newEnv(t, ring(t), cookiestore.Options[account]{Backend: missingBackend{}})
	e.request(func(s *cookiestore.Session[account]) { s.Data.Email = "a" })
	_, err := e.store.LoadHeader(context.Background(), e.header())
	if !errors.Is(err, cookiestore.ErrMissing) {
		t.Fatalf("err=%v", err)
	}
	if msg := err.Error(); strings.Count(msg, "session record missing") != 1 || msg != "cookiestore: load: session record missing: kvstore: not found" {
		t.Fatalf("message %q", msg)
	}
}

// mapBackend keeps records in a map under their session ID.
type mapBackend struct{ recs map[string][]byte }

func (m *mapBackend) Load(_ context.Context, ref []byte) ([]byte, error) {
	rec, ok := m.recs[string(ref)]
	if !ok {
		return nil, cookiestore.ErrMissing
	}
	return rec, nil
}
func (m *mapBackend) Save(_ context.Context, rec cookiestore.Record) ([]byte, error) {
	m.recs[rec.ID] = append([]byte(nil), rec.Payload...)
	return []byte(rec.ID), nil
}
func (m *mapBackend) Delete(_ context.Context, ref []byte) error {
	delete(m.recs, string(ref))
	return nil
}

// TestServerRecordMustCarryTheCookiesID: a server-side store that
// answers a cookie's ID with another session's record does not hand
// that session over.
func TestServerRecordMustCarryTheCookiesID(t *testing.T) {
	be := &mapBackend{recs: map[string][]byte{}}
	r := ring(t)
	alice := newEnv(t, r, cookiestore.Options[account]{Backend: be})
	mallory := newEnv(t, r, cookiestore.Options[account]{Backend: be})
	mallory.clk, mallory.store = alice.clk, alice.store
	var aliceID, malloryID string
	alice.request(func(s *cookiestore.Session[account]) { s.Data.Email = "alice"; aliceID = s.ID() })
	mallory.request(func(s *cookiestore.Session[account]) { s.Data.Email = "mallory"; malloryID = s.ID() })
	// The store now answers Mallory's ID with Alice's record.
	be.recs[malloryID] = be.recs[aliceID]
	s, err := mallory.store.LoadHeader(context.Background(), mallory.header())
	if !errors.Is(err, cookiestore.ErrInvalid) || s.Data.Email != "" {
		t.Fatalf("another session's record accepted: err=%v data=%+v", err, s.Data)
	}
	if s, err := alice.store.LoadHeader(context.Background(), alice.header()); err != nil || s.Data.Email != "alice" {
		t.Fatalf("alice: %v", err)
	}
}
