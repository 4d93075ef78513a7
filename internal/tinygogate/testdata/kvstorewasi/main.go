// Command kvstorewasi is a WASI program that uses kvstore with no
// Client: TestTinyGoKVStoreWASI builds it with TinyGo for wasip1 and
// runs it, so kvstore keeps compiling there (net/http's client stays
// out of WebAssembly builds) and that a request without a Client fails
// as an unavailable store, with an error rather than a panic.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/crumbkit/crumb/kvstore"
)

func main() {
	s, err := kvstore.NewWebdis(kvstore.WebdisConfig{URL: "http://127.0.0.1:7379"})
	if err != nil {
		fmt.Println("NewWebdis:", err)
		os.Exit(1)
	}
	_, err = s.Get(context.Background(), "some-id")
	if err == nil || errors.Is(err, kvstore.ErrNotFound) {
		fmt.Println("Get with no client succeeded:", err)
		os.Exit(1)
	}
	fmt.Println("ok:", err)
}
