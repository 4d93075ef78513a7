package main

import (
	"bytes"
	"context"
	"errors"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/signed"
)

// testLogger sends the demo's log lines to the test log, and keeps them
// for checks on what the demo prints.
type testLogger struct {
	t   testing.TB
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *testLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.buf.Write(p)
	l.mu.Unlock()
	l.t.Logf("%s", bytes.TrimRight(p, "\n"))
	return len(p), nil
}

func (l *testLogger) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func newTestLogger(t testing.TB) (*log.Logger, *testLogger) {
	tl := &testLogger{t: t}
	return log.New(tl, "login: ", 0), tl
}

func envFunc(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// issued watches the demo's responses and hands every session cookie it
// sets (not the deletions) to check, inside the request, so a check can
// look at the store while the session is live.
type issued struct {
	h     http.Handler
	check func(value string)

	mu     sync.Mutex
	values []string
}

func (o *issued) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.h.ServeHTTP(w, r)
	for _, line := range w.Header().Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil || c.Name != "session" || c.MaxAge < 0 {
			continue
		}
		o.mu.Lock()
		o.values = append(o.values, c.Value)
		o.mu.Unlock()
		o.check(c.Value)
	}
}

func (o *issued) all() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.values...)
}

// TestBrowser drives the demo in Debian's Chromium with playwright-core,
// through the real forms: a wrong password, the right one, a reload
// that must not repeat the flash, and a logout; then "remember me": a
// remembered login survives a browser restart with a 30-day cookie, and
// one without it is a browser-session cookie that a restart drops. It runs the same script
// against both modes of the demo, wired by setup exactly as `go run`
// wires them: sessions in an encrypted cookie, and sessions in a real
// Redis behind a real Webdis with only a signed session ID in the
// cookie. The second run proves the Session API (and so the handlers)
// unchanged over a server-side store, and checks that the records are
// really in Redis while the session lives and gone after logout.
func TestBrowser(t *testing.T) {
	node := servicetest.LookPath(t, "node", "apt-get install nodejs")
	chromium := servicetest.LookPath(t, "chromium", "apt-get install chromium")
	pw := servicetest.NodeModule(t, "playwright-core/index.mjs")
	script, err := filepath.Abs(filepath.Join("testdata", "browser.mjs"))
	if err != nil {
		t.Fatal(err)
	}

	modes := []struct {
		name string
		// start returns the demo's arguments and the checks on each
		// issued cookie and on the store after the flow.
		start func(t *testing.T, ring *keys.Ring) (args []string, during func(*testing.T, string), after func(*testing.T, []string))
	}{
		{"cookie", func(t *testing.T, ring *keys.Ring) ([]string, func(*testing.T, string), func(*testing.T, []string)) {
			sealer := encrypted.New(ring)
			during := func(t *testing.T, value string) {
				o, err := sealer.Open("session", value)
				if err != nil {
					t.Errorf("cookie-only mode: the session cookie does not open with the encrypted sealer: %v", err)
				} else if !bytes.HasPrefix(o.Payload, []byte(`{"i":"`)) {
					t.Errorf("cookie-only mode: the cookie does not carry the session record")
				}
			}
			return nil, during, func(*testing.T, []string) {}
		}},
		{"webdis", func(t *testing.T, ring *keys.Ring) ([]string, func(*testing.T, string), func(*testing.T, []string)) {
			redis := servicetest.StartRedis(t)
			wd := servicetest.StartWebdis(t, redis.Addr, servicetest.WebdisConfig{})
			u, err := url.Parse(wd.URL)
			if err != nil {
				t.Fatal(err)
			}
			u.User = url.UserPassword(wd.User, wd.Password)
			// The test's own view of Redis, through Webdis and the
			// kvstore API, under the prefix kvstore.NewBackend uses.
			store, err := kvstore.NewWebdis(kvstore.WebdisConfig{URL: wd.URL, Username: wd.User, Password: wd.Password})
			if err != nil {
				t.Fatal(err)
			}
			sessions := kvstore.NewSessions(store)
			sealer := signed.New(ring)
			idOf := func(t *testing.T, value string) string {
				o, err := sealer.Open("session", value)
				if err != nil {
					t.Errorf("webdis mode: the session cookie does not open with the signed sealer: %v", err)
					return ""
				}
				if _, err := kvstore.ParseSessionID(string(o.Payload)); err != nil {
					t.Errorf("webdis mode: the cookie carries %d bytes, not just a session ID: %v", len(o.Payload), err)
					return ""
				}
				return string(o.Payload)
			}
			during := func(t *testing.T, value string) {
				id := idOf(t, value)
				if id == "" {
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if _, rec, err := sessions.Load(ctx, id); err != nil || !bytes.Contains(rec, []byte(`"d":{`)) {
					t.Errorf("webdis mode: no session record in Redis for an issued cookie: %v", err)
				}
			}
			after := func(t *testing.T, values []string) {
				ids := map[string]bool{}
				last := ""
				for _, v := range values {
					if id := idOf(t, v); id != "" {
						ids[id] = true
						last = id
					}
				}
				// A session for the failed attempt, and a new ID at
				// each of the three logins.
				if len(ids) < 4 {
					t.Errorf("webdis mode: %d distinct session IDs issued, want at least 4 (Regenerate at each login)", len(ids))
				}
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				for id := range ids {
					_, _, err := sessions.Load(ctx, id)
					switch {
					case id == last && err != nil:
						// The flow ends with a browser-session login
						// abandoned by closing the browser: the browser
						// dropped the cookie, the server never saw a
						// logout.
						t.Errorf("webdis mode: the last session, never logged out, has no record: %v", err)
					case id != last && !errors.Is(err, kvstore.ErrNotFound):
						t.Errorf("webdis mode: a session record outlived logout or regeneration: %v", err)
					}
				}
			}
			return []string{"-webdis", u.String()}, during, after
		}},
	}
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			ring, err := keys.GenerateRing(nil)
			if err != nil {
				t.Fatal(err)
			}
			args, during, after := mode.start(t, ring)
			logger, logged := newTestLogger(t)
			server, err := setup(args, envFunc(map[string]string{"SESSION_KEYS": ring.Export()}), logger)
			if err != nil {
				t.Fatal(err)
			}
			obs := &issued{h: server.Handler, check: func(v string) { during(t, v) }}
			srv := httptest.NewServer(obs)
			t.Cleanup(srv.Close)

			ctx := servicetest.Context(t, 180*time.Second)
			cmd := exec.CommandContext(ctx, node, script, srv.URL+"/")
			cmd.Env = append(os.Environ(),
				"PLAYWRIGHT_CORE="+pw,
				"CHROMIUM="+chromium,
				"USER_DATA_DIR="+t.TempDir(),
			)
			out, err := cmd.CombinedOutput()
			t.Logf("browser script output:\n%s", out)
			if err != nil {
				t.Fatalf("browser script failed: %v", err)
			}
			srv.Close() // every request handled: the checks below see the final state
			values := obs.all()
			if len(values) < 5 {
				t.Fatalf("%d session cookies issued over the flow, want at least 5", len(values))
			}
			after(t, values)
			if strings.Contains(logged.String(), "session:") {
				t.Errorf("the demo reported session errors during the flow")
			}
		})
	}
}

// TestSetup checks the demo's flags and environment without a browser.
func TestSetup(t *testing.T) {
	ring, err := keys.GenerateRing(nil)
	if err != nil {
		t.Fatal(err)
	}
	// A port nothing listens on: the start-up check fails fast.
	closed := "127.0.0.1:" + strconv.Itoa(servicetest.FreePort(t))
	const password = "pa55-not-in-logs"
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr bool
		logs    []string // substrings the log must hold
	}{
		{"defaults", nil, nil, false, []string{"WARNING: SESSION_KEYS is not set", "encrypted cookie", "http://127.0.0.1:8080"}},
		{"keys and port", nil, map[string]string{"SESSION_KEYS": ring.Export(), "PORT": "9999"}, false, []string{"1 key(s) from SESSION_KEYS", "127.0.0.1:9999"}},
		{"bad keys", nil, map[string]string{"SESSION_KEYS": "not-a-key"}, true, nil},
		{"webdis flag", []string{"-webdis", "http://crumb:" + password + "@" + closed}, nil, false, []string{"Redis through Webdis at http://crumb:xxxxx@" + closed, "WARNING: Webdis"}},
		{"webdis env", nil, map[string]string{"WEBDIS_URL": "http://" + closed, "WEBDIS_USER": "crumb", "WEBDIS_PASSWORD": password}, false, []string{"Redis through Webdis at http://" + closed}},
		{"webdis bad scheme", []string{"-webdis", "ftp://" + closed}, nil, true, nil},
		{"webdis not a URL", []string{"-webdis", "http://crumb:" + password + "@[::1"}, nil, true, nil},
		{"unknown flag", []string{"-nope"}, nil, true, nil},
		{"extra argument", []string{"extra"}, nil, true, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			logger, logged := newTestLogger(t)
			srv, err := setup(tc.args, envFunc(tc.env), logger)
			if tc.wantErr {
				if err == nil {
					t.Fatal("setup succeeded")
				}
				if strings.Contains(err.Error(), password) {
					t.Errorf("error shows the Webdis password: %v", err)
				}
				return
			}
			if err != nil || srv.Handler == nil {
				t.Fatalf("setup: %v", err)
			}
			for _, want := range tc.logs {
				if !strings.Contains(logged.String(), want) {
					t.Errorf("log lacks %q", want)
				}
			}
			if strings.Contains(logged.String(), password) {
				t.Error("log shows the Webdis password")
			}
		})
	}
}
