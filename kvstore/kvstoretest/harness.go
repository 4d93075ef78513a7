package kvstoretest

import (
	"testing"

	"github.com/crumbkit/crumb/kvstore"
)

// Caps says what the store under test does differently from the full
// contract. The zero value is a store with neither Touch nor
// conditional writes that takes only UTF-8 keys.
type Caps struct {
	// BinaryKeys: keys may hold any bytes, not only UTF-8.
	BinaryKeys bool
	// Touch: Touch extends a TTL (else it answers errors.ErrUnsupported).
	Touch bool
	// Conditional: SetIfExists and SetIfAbsent work (else they answer
	// errors.ErrUnsupported).
	Conditional bool
}

// Harness describes a store to Run.
type Harness struct {
	// New returns the store under test, connected to a running backend.
	// Run calls it once per group of tests.
	New func(t *testing.T) kvstore.Store
	// Prefix is prepended to every key the suite writes, to keep it
	// apart from other tests sharing the backend. Default "kvstoretest:".
	Prefix string
	// Caps says what the store does differently.
	Caps Caps
	// Stop, when set, makes the backend unreachable (kills the server),
	// and Start brings it back. With both set Run also runs the fault
	// tests, last: every call fails with a typed error, a request
	// through cookiestore never answers 2xx for a write that was not
	// saved, and the store works again once the backend is back. A
	// backend that stays partly up (one node of a cluster killed) is
	// fine: the suite then checks each success it saw really was saved.
	Stop, Start func(t *testing.T)
}

// Run runs the shared suite against the store h describes: Conformance,
// Sessions (revocation through kvstore.Sessions and through cookiestore)
// and, when h has Stop and Start, Faults.
func Run(t *testing.T, h Harness) {
	if h.New == nil {
		t.Fatal("kvstoretest: Harness.New is nil")
	}
	if h.Prefix == "" {
		h.Prefix = "kvstoretest:"
	}
	t.Run("conformance", func(t *testing.T) { Conformance(t, h.New(t), h.Prefix+"conf:", h.Caps) })
	t.Run("sessions", func(t *testing.T) { Sessions(t, h.New(t), h.Prefix+"sess:", h.Caps) })
	if h.Stop != nil && h.Start != nil {
		t.Run("faults", func(t *testing.T) { Faults(t, h) })
	}
}
