package dynamostore_test

import (
	"os"
	"testing"
	"time"

	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/kvstore/kvstoretest"
)

// TestLoad measures requests per second through a real http.Server
// with 8 keep-alive connections, for cookie-only sessions and for the
// Memory, Webdis and DynamoDB (dynalite) backends, in one run. It runs
// only when KVSTORE_LOAD names a duration:
//
//	cd kvstore/dynamostore && KVSTORE_LOAD=10s go test -run TestLoad -v .
func TestLoad(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("KVSTORE_LOAD"))
	if err != nil {
		t.Skip("set KVSTORE_LOAD=10s to run the load measurement")
	}
	for _, b := range []struct {
		name  string
		store kvstore.Store
	}{
		{"cookie-only", nil},
		{"memory", kvstore.NewMemory(kvstore.MemoryConfig{})},
		{"webdis", webdisStore(t)},
		{"dynamodb-dynalite", newStore(t, sharedDynalite(t).URL, nil)},
	} {
		kvstoretest.Load(t, b.name, b.store, d, 8)
	}
}
