package kvstoretest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/kvstore"
)

// Faults checks the rules for a backend that goes down and comes back,
// through h.Stop and h.Start:
//
//   - every failed store call is a typed error wrapping ErrUnavailable or
//     ErrTimeout (never a panic, never ErrNotFound, which would read as
//     a logout), and at least one call fails;
//   - a request through cookiestore's middleware never answers 2xx for
//     a session write that was not saved: it answers 503 with no cookie
//     and none of the handler's output, and every 2xx it gave (a
//     cluster with one node down still serves the others' keys) is
//     readable once the backend is back;
//   - the store serves again once the backend is back.
func Faults(t *testing.T, h Harness) {
	if h.Prefix == "" {
		h.Prefix = "kvstoretest:"
	}
	store := h.New(t)
	prefix := h.Prefix + "fault:"
	var mu sync.Mutex
	var hookErrs []error
	e := newEngineHook(t, store, prefix, func(_ context.Context, err error) {
		mu.Lock()
		hookErrs = append(hookErrs, err)
		mu.Unlock()
	})
	mux := http.NewServeMux()
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		s := e.st.Get(r.Context())
		s.Data.User = r.URL.Query().Get("u")
		io.WriteString(w, "saved "+s.Data.User)
	})
	mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "user "+e.st.Get(r.Context()).Data.User)
	})
	srv := httptest.NewServer(e.st.Middleware(mux))
	defer srv.Close()

	live := do(t, srv.URL+"/set?u=live", "")
	if live.status != http.StatusOK || live.cookie == "" {
		t.Fatalf("before the fault: HTTP %d %q", live.status, live.body)
	}

	h.Stop(t)
	// Requests right after the fault: each either fails with 503 and
	// nothing of the handler, or succeeded (its session lives on a node
	// still up) and must be readable later.
	var saved []reply
	refused := 0
	for i := 0; i < 200 && (i < 8 || refused == 0); i++ {
		cookie := ""
		if i == 0 {
			cookie = live.cookie // a change to a live session
		}
		r := do(t, fmt.Sprintf("%s/set?u=down%d", srv.URL, i), cookie)
		switch r.status {
		case http.StatusOK:
			if r.cookie == "" {
				t.Fatalf("2xx without a cookie for a change: %q", r.body)
			}
			r.user = fmt.Sprintf("down%d", i)
			saved = append(saved, r)
		case http.StatusServiceUnavailable:
			refused++
			if strings.Contains(r.body, "saved") || r.cookie != "" {
				t.Fatalf("503 leaked the handler's response or a cookie: %q, cookie %v", r.body, r.cookie != "")
			}
		default:
			t.Fatalf("request with the backend down: HTTP %d %q, want 200 or 503", r.status, r.body)
		}
	}
	if refused == 0 {
		t.Fatal("no request failed after Stop: the fault did not reach the store")
	}
	t.Logf("backend down: %d requests answered 503, %d saved elsewhere answered 200", refused, len(saved))
	mu.Lock()
	for _, err := range hookErrs {
		if !errors.Is(err, cookiestore.ErrBackend) || !errors.Is(err, kvstore.ErrUnavailable) && !errors.Is(err, kvstore.ErrTimeout) {
			t.Errorf("error hook: %v, want ErrBackend with ErrUnavailable or ErrTimeout", err)
		}
	}
	mu.Unlock()

	ctx := context.Background()
	// Calls go on until some have failed (at least 8, at most 200): on
	// a cluster with one node down, a key may well live on another.
	failed := 0
	for i := 0; i < 200 && (i < 8 || failed == 0); i++ {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		key := fmt.Sprintf("%sk%d", prefix, i)
		calls := map[string]error{"set": store.Set(cctx, key, []byte("v"), time.Minute)}
		_, calls["get"] = store.Get(cctx, key)
		calls["delete"] = store.Delete(cctx, key)
		if h.Caps.Touch {
			calls["touch"] = store.(kvstore.Toucher).Touch(cctx, key, time.Minute)
		}
		if h.Caps.Conditional {
			_, calls["set if exists"] = store.(kvstore.ConditionalSetter).SetIfExists(cctx, key, []byte("v"), time.Minute)
			_, calls["set if absent"] = store.(kvstore.ConditionalSetter).SetIfAbsent(cctx, key, []byte("v"), time.Minute)
		}
		cancel()
		for op, err := range calls {
			if err == nil || (op == "get" || op == "touch" || op == "set if exists") && errors.Is(err, kvstore.ErrNotFound) && calls["set"] == nil {
				continue // this key's part of the backend is still up
			}
			failed++
			checkTyped(t, op, err)
			if !errors.Is(err, kvstore.ErrUnavailable) && !errors.Is(err, kvstore.ErrTimeout) {
				t.Errorf("%s with the backend down: %v, want ErrUnavailable or ErrTimeout", op, err)
			}
		}
	}
	if failed == 0 {
		t.Fatal("no store call failed after Stop: the fault did not reach the store")
	}
	t.Logf("backend down: %d store calls failed", failed)

	started := time.Now()
	h.Start(t)
	deadline := time.Now().Add(30 * time.Second)
	var back reply
	for {
		back = do(t, srv.URL+"/set?u=back", "")
		if back.status == http.StatusOK || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if back.status != http.StatusOK {
		t.Fatalf("no recovery 30 s after Start: HTTP %d", back.status)
	}
	t.Logf("serving again %v after Start was called", time.Since(started).Round(time.Millisecond))
	back.user = "back"
	for _, r := range append(saved, back) {
		got := do(t, srv.URL+"/get", r.cookie)
		if got.status != http.StatusOK || got.body != "user "+r.user {
			t.Errorf("a session answered 2xx while the backend was down, but reads back as HTTP %d %q, want %q", got.status, got.body, "user "+r.user)
		}
	}
}

type reply struct {
	status int
	body   string
	cookie string // name=value of the session cookie set, if any
	user   string // what the session should hold
}

func do(t *testing.T, url, cookie string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, body: string(b)}
	for _, c := range resp.Cookies() {
		if c.MaxAge >= 0 {
			r.cookie = c.Name + "=" + c.Value
		}
	}
	return r
}
