// Package kvstoretest is the test suite every kvstore.Store passes: the
// stores of package kvstore, the stores in crumb's nested modules
// (kvstore/redisstore and others), and stores you write yourself.
//
// Run it from a test with a factory for the store and, when the test can
// stop and restart the backend, the hooks for the fault tests:
//
//	func TestMyStore(t *testing.T) {
//		srv := startMyServer(t)
//		kvstoretest.Run(t, kvstoretest.Harness{
//			New:   func(t *testing.T) kvstore.Store { return mystore.New(srv.Addr) },
//			Caps:  kvstoretest.Caps{BinaryKeys: true, Touch: true, Conditional: true},
//			Stop:  func(t *testing.T) { srv.Kill() },
//			Start: func(t *testing.T) { srv.Restart(t) },
//		})
//	}
//
// The suite checks the Store contract (Conformance), the revocation
// guarantees of kvstore.Sessions and cookiestore over the store
// (Sessions), and, with Stop and Start, that an outage gives typed
// errors and never a 2xx for a session that was not saved (Faults).
// Errors must be *kvstore.Error values; a store outside package kvstore
// builds them with kvstore.NewError.
//
// It depends only on the standard library and crumb's own packages.
package kvstoretest
