// Command login is the oak_sessions login demo on crumb: sessions in an
// encrypted cookie, a flash message shown once, a count of failed
// attempts, logout.
//
//	go run ./examples/login
//
// It listens on 127.0.0.1:8080 (PORT changes the port) and reads the
// key ring from SESSION_KEYS in keygen's text form; without it, it
// makes ephemeral keys, so sessions end when it stops. It serves plain
// HTTP for local development, so the cookie goes without the Secure
// attribute; put TLS in front (and drop InsecureHTTP) for anything
// else.
package main

import (
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/examples/login/loginapp"
	"github.com/crumbkit/crumb/keys"
)

func main() {
	logger := log.New(os.Stderr, "login: ", 0)
	var ring *keys.Ring
	var err error
	if text := os.Getenv("SESSION_KEYS"); text != "" {
		ring, err = keys.ParseRing(text)
		if err != nil {
			// The error names the position of a bad key, never the key.
			logger.Fatalf("SESSION_KEYS: %v", err)
		}
		logger.Printf("using %d key(s) from SESSION_KEYS", ring.Len())
	} else {
		ring, err = keys.GenerateRing(nil)
		if err != nil {
			logger.Fatal(err)
		}
		logger.Printf("WARNING: SESSION_KEYS is not set: using ephemeral keys; every session ends when this process stops. Set SESSION_KEYS (from `go run ./cmd/keygen`) to keep them.")
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	h, err := loginapp.New(loginapp.Config{
		Keys:         ring,
		InsecureHTTP: true,
		OnError: func(_ context.Context, err error) {
			if !errors.Is(err, cookiestore.ErrNoCookie) {
				logger.Printf("session: %v", err)
			}
		},
	})
	if err != nil {
		logger.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", port)
	logger.Printf("listening on http://%s (plain HTTP: session cookie WITHOUT the Secure attribute, development only)", addr)
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	logger.Fatal(srv.ListenAndServe())
}
