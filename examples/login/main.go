// Command login is the oak_sessions login demo on crumb: log in, a
// flash message shown once, a count of failed attempts, log out.
//
//	go run ./examples/login
//	go run ./examples/login -webdis http://crumb:secret@127.0.0.1:7379
//
// It listens on 127.0.0.1:8080 (PORT changes the port) and reads the
// key ring from SESSION_KEYS in keygen's text form; without it, it
// makes ephemeral keys, so sessions end when it stops. It serves plain
// HTTP for local development, so the cookie goes without the Secure
// attribute; put TLS in front (and drop InsecureHTTP) for anything
// else.
//
// By default the whole session travels in an encrypted cookie. With
// -webdis (or the WEBDIS_URL environment variable) the session data
// lives in Redis behind Webdis, and the cookie carries only a session
// ID signed by crumb's signed sealer (package kvstore): logout then
// deletes the record, so an old copy of the cookie is worthless. The
// Webdis credentials may be in the URL (http://user:password@host:port)
// or in WEBDIS_USER and WEBDIS_PASSWORD, which keeps the password out of
// the process list. The handlers are the same in both modes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/examples/login/loginapp"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/signed"
)

func main() {
	logger := log.New(os.Stderr, "login: ", 0)
	srv, err := setup(os.Args[1:], os.Getenv, logger)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	if err != nil {
		logger.Fatal(err)
	}
	logger.Fatal(srv.ListenAndServe())
}

// setup reads the flags and environment and returns the server, ready
// to listen. The browser test calls it with its own arguments and
// environment, so both modes are tested exactly as `go run` wires them.
func setup(args []string, getenv func(string) string, logger *log.Logger) (*http.Server, error) {
	fs := flag.NewFlagSet("login", flag.ContinueOnError)
	fs.SetOutput(logger.Writer())
	fs.Usage = func() { usage(fs) }
	webdisURL := fs.String("webdis", getenv("WEBDIS_URL"),
		"keep sessions in Redis behind the Webdis at this URL (http://[user:password@]host:port); default $WEBDIS_URL, or cookie-only sessions when empty")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() != 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}

	ring, err := loadRing(getenv, logger)
	if err != nil {
		return nil, err
	}
	cfg := loginapp.Config{
		Keys:         ring,
		InsecureHTTP: true,
		OnError: func(_ context.Context, err error) {
			// Errors carry neither key material nor cookie values, nor
			// Webdis credentials.
			if !errors.Is(err, cookiestore.ErrNoCookie) {
				logger.Printf("session: %v", err)
			}
		},
	}
	if *webdisURL != "" {
		store, redacted, err := newWebdis(*webdisURL, getenv)
		if err != nil {
			return nil, err
		}
		// kvstore's design: the cookie carries a session ID sealed by the
		// signed sealer; the data (email, failed attempts, flashes) stays
		// in Redis under the ID's hash.
		cfg.Sealer = signed.New(ring)
		cfg.Backend = kvstore.NewBackend(store, kvstore.BackendOptions{})
		checkWebdis(store, redacted, logger)
		logger.Printf("sessions in Redis through Webdis at %s; the cookie holds only a signed session ID", redacted)
	} else {
		logger.Printf("sessions in an encrypted cookie (use -webdis URL to keep them in Redis)")
	}
	h, err := loginapp.New(cfg)
	if err != nil {
		return nil, err
	}
	port := getenv("PORT")
	if port == "" {
		port = "8080"
	}
	addr := net.JoinHostPort("127.0.0.1", port)
	logger.Printf("listening on http://%s (plain HTTP: session cookie WITHOUT the Secure attribute, development only)", addr)
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}, nil
}

// usage is the -h text: the demo's credentials, its flags, and every
// environment variable it reads.
func usage(fs *flag.FlagSet) {
	w := fs.Output()
	fmt.Fprint(w, `usage: go run ./examples/login [-webdis URL]

The crumb login demo on http://127.0.0.1:$PORT (plain HTTP, development
only). Log in with any email and the password "correct".

flags:
`)
	fs.PrintDefaults()
	fmt.Fprint(w, `
environment:
  PORT             port to listen on (default 8080)
  SESSION_KEYS     key ring, as printed by `+"`go run ./cmd/keygen`"+`; unset: ephemeral
                   keys, and every session ends when the process stops
  WEBDIS_URL       default for -webdis
  WEBDIS_USER      Webdis user name, instead of the one in the URL
  WEBDIS_PASSWORD  Webdis password, instead of the one in the URL (keeps it
                   out of the process list)
`)
}

func loadRing(getenv func(string) string, logger *log.Logger) (*keys.Ring, error) {
	if text := getenv("SESSION_KEYS"); text != "" {
		ring, err := keys.ParseRing(text)
		if err != nil {
			// The error names the position of a bad key, never the key.
			return nil, fmt.Errorf("SESSION_KEYS: %w", err)
		}
		logger.Printf("using %d key(s) from SESSION_KEYS", ring.Len())
		return ring, nil
	}
	ring, err := keys.GenerateRing(nil)
	if err != nil {
		return nil, err
	}
	logger.Printf("WARNING: SESSION_KEYS is not set: using ephemeral keys; every session ends when this process stops. Set SESSION_KEYS (from `go run ./cmd/keygen`) to keep them.")
	return ring, nil
}

// newWebdis builds the Webdis client from a URL that may carry
// credentials. kvstore refuses credentials inside the URL (so they
// cannot leak through a logged URL); they are moved to Basic auth here,
// and only the redacted URL is returned for logging.
func newWebdis(raw string, getenv func(string) string) (*kvstore.Webdis, string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes the input, which may hold a password.
		return nil, "", errors.New("-webdis: not a URL")
	}
	redacted := u.Redacted()
	cfg := kvstore.WebdisConfig{Username: getenv("WEBDIS_USER"), Password: getenv("WEBDIS_PASSWORD")}
	if u.User != nil {
		cfg.Username = u.User.Username()
		if p, ok := u.User.Password(); ok {
			cfg.Password = p
		}
		u.User = nil
	}
	cfg.URL = u.String()
	store, err := kvstore.NewWebdis(cfg)
	if err != nil {
		return nil, "", fmt.Errorf("-webdis: %w", err)
	}
	return store, redacted, nil
}

// checkWebdis makes one read so that a wrong URL or password shows at
// start-up rather than as 503s later. It only warns: Webdis may come up
// after the demo.
func checkWebdis(store *kvstore.Webdis, redacted string, logger *log.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := store.Get(ctx, "crumb:login:startup-check")
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		logger.Printf("WARNING: Webdis at %s does not answer as expected (%v); session requests will fail with 503 until it does", redacted, err)
	}
}
