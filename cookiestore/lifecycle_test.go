package cookiestore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/encrypted"
)

// TestCommitTwice checks that a second Commit in the same response
// builds on what the first one sent: the client by then holds the
// first Commit's cookies, not the request's.
func TestCommitTwice(t *testing.T) {
	ctx := context.Background()
	t.Run("destroy after save", func(t *testing.T) {
		e := newEnv(t, ring(t), cookiestore.Options[account]{})
		s, _ := e.store.LoadHeader(ctx, "")
		s.Data.Email = "a"
		first, err := e.store.Commit(ctx, s)
		if err != nil || len(first) != 1 {
			t.Fatalf("first Commit: %v, %q", err, first)
		}
		s.Destroy()
		second, err := e.store.Commit(ctx, s)
		if err != nil || len(second) != 1 || !strings.HasPrefix(second[0], "__Host-session=;") || !strings.Contains(second[0], "Max-Age=0") {
			t.Fatalf("Commit after Destroy: %v, %q", err, second)
		}
		e.apply(first)
		e.apply(second)
		if s, err := e.store.LoadHeader(ctx, e.header()); !s.IsNew() || !errors.Is(err, cookiestore.ErrNoCookie) {
			t.Fatalf("the destroyed session came back: new=%v err=%v", s.IsNew(), err)
		}
		if lines, err := e.store.Commit(ctx, s); err != nil || lines != nil {
			t.Fatalf("third Commit: %v, %q", err, lines)
		}
	})
	t.Run("shrink after a chunked save", func(t *testing.T) {
		e := newEnv(t, ring(t), cookiestore.Options[account]{MaxChunks: 4})
		s, _ := e.store.LoadHeader(ctx, "")
		s.Data.Blob = randomText(7000)
		first, err := e.store.Commit(ctx, s)
		if err != nil || len(first) != 3 {
			t.Fatalf("first Commit: %v, %d lines", err, len(first))
		}
		s.Data.Blob = "small"
		second, err := e.store.Commit(ctx, s)
		if err != nil || len(second) != 3 ||
			!strings.HasPrefix(second[1], "__Host-session.1=;") || !strings.HasPrefix(second[2], "__Host-session.2=;") {
			t.Fatalf("second Commit: %v, %q", err, second)
		}
		e.apply(first)
		e.apply(second)
		if s, err := e.store.LoadHeader(ctx, e.header()); err != nil || s.Data.Blob != "small" {
			t.Fatalf("after two Commits: err=%v blob %.10q", err, s.Data.Blob)
		}
	})
	t.Run("grow after a save", func(t *testing.T) {
		e := newEnv(t, ring(t), cookiestore.Options[account]{MaxChunks: 4})
		s, _ := e.store.LoadHeader(ctx, "")
		s.Data.Blob = "small"
		first, _ := e.store.Commit(ctx, s)
		s.Data.Blob = randomText(7000)
		second, err := e.store.Commit(ctx, s)
		if err != nil || len(second) != 3 {
			t.Fatalf("second Commit: %v, %d lines", err, len(second))
		}
		s.Destroy()
		third, err := e.store.Commit(ctx, s)
		if err != nil || len(third) != 3 {
			t.Fatalf("Destroy after a chunked save: %v, %q", err, third)
		}
		e.apply(first)
		e.apply(second)
		e.apply(third)
		if len(e.jar) != 0 {
			t.Fatalf("jar after Destroy: %v", e.jar)
		}
	})
}

// TestValidateErrorHidden checks that the text of a Validate error,
// which may quote the session data, stays out of the error while
// errors.Is still finds it.
func TestValidateErrorHidden(t *testing.T) {
	errBad := errors.New("bad email secret@example.com")
	validating := newEnv(t, ring(t), cookiestore.Options[account]{Validate: func(_ context.Context, a *account) error {
		if a.Email != "" {
			return errBad
		}
		return nil
	}})
	validating.request(func(s *cookiestore.Session[account]) { s.Data.Email = "secret@example.com" })
	s, err := validating.store.LoadHeader(context.Background(), validating.header())
	if !errors.Is(err, cookiestore.ErrRejected) || !errors.Is(err, errBad) || !s.IsNew() {
		t.Fatalf("err=%v new=%v", err, s.IsNew())
	}
	for _, msg := range []string{err.Error(), s.Err().Error()} {
		if strings.Contains(msg, "secret") {
			t.Fatalf("error quotes the validator: %q", msg)
		}
	}
}

// TestExpiryEdges checks that both timeouts end a session at exactly
// their end, as the sealer does with the sealed expiry: valid one
// second before, expired at it.
func TestExpiryEdges(t *testing.T) {
	cases := []struct {
		name      string
		idle, abs time.Duration
		// renewAt, when set, renews the session then, so the idle
		// expiry passes the absolute one.
		renewAt time.Duration
		end     time.Duration
		detail  string
	}{
		// The cookie lasts the idle timeout plus the renewal interval
		// (a quarter of it by default).
		{"idle", time.Hour, 3 * time.Hour, 0, 75 * time.Minute, "idle"},
		{"absolute", time.Hour, 90 * time.Minute, 59 * time.Minute, 90 * time.Minute, "absolute"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, ring(t), cookiestore.Options[account]{IdleTimeout: tc.idle, AbsoluteTimeout: tc.abs})
			start := e.clk.Now()
			e.request(func(s *cookiestore.Session[account]) { s.Data.Email = "a" })
			if tc.renewAt > 0 {
				e.clk.Advance(tc.renewAt)
				if lines, err := e.request(nil); err != nil || len(lines) != 1 {
					t.Fatalf("renewal: %v, %q", err, lines)
				}
			}
			load := func(at time.Duration) (*cookiestore.Session[account], error) {
				e.clk.Advance(start.Add(at).Sub(e.clk.Now()))
				return e.store.LoadHeader(context.Background(), e.header())
			}
			if s, err := load(tc.end - time.Second); err != nil || s.IsNew() {
				t.Fatalf("one second before the end: %v", err)
			}
			s, err := load(tc.end)
			if !errors.Is(err, cookiestore.ErrExpired) || !s.IsNew() || !strings.Contains(err.Error(), tc.detail) {
				t.Fatalf("at the end: %v", err)
			}
		})
	}
}

// TestSessionEndsDuringCommit checks that a session whose absolute
// lifetime ends between the load and the save is cleared and reported,
// not turned into a failed save: by the store's clock, and by the
// sealer's when it reads a later second than the store did.
func TestSessionEndsDuringCommit(t *testing.T) {
	cases := []struct {
		name string
		// storeLag is how far the store's clock is behind the sealer's
		// at the save.
		storeLag time.Duration
		chunks   int
	}{
		{"store clock", 0, 0},
		{"store clock, chunked", 0, 4},
		{"sealer clock", time.Second, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			var lag time.Duration
			storeNow := func() time.Time { return clk.Now().Add(-lag) }
			var reported []error
			st, err := cookiestore.New(encrypted.New(ring(t), crumb.WithClock(clk.Now)), cookiestore.Options[account]{
				IdleTimeout: time.Hour, AbsoluteTimeout: time.Hour, Now: storeNow, MaxChunks: tc.chunks,
				OnError: func(_ context.Context, err error) { reported = append(reported, err) },
			})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			e := &env{t: t, clk: clk, store: st, jar: map[string]string{}}
			s, _ := st.LoadHeader(ctx, "")
			s.Data.Email = "a"
			if tc.chunks > 0 {
				s.Data.Blob = randomText(5000)
			}
			lines, err := st.Commit(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			e.apply(lines)

			clk.Advance(time.Hour - time.Second)
			s, err = st.LoadHeader(ctx, e.header())
			if err != nil {
				t.Fatalf("load one second before the end: %v", err)
			}
			// The lifetime ends: by the sealer's clock, and by the
			// store's unless it lags.
			clk.Advance(time.Second)
			lag = tc.storeLag
			s.Data.Failed++
			lines, err = st.Commit(ctx, s)
			if err != nil {
				t.Fatalf("Commit failed instead of ending the session: %v", err)
			}
			if len(reported) != 1 || !errors.Is(reported[0], cookiestore.ErrExpired) || errors.Is(reported[0], cookiestore.ErrCodec) {
				t.Fatalf("reported %v", reported)
			}
			want := 1
			if tc.chunks > 0 {
				want = 2
			}
			if len(lines) != want {
				t.Fatalf("lines %q, want %d deletions", lines, want)
			}
			for _, l := range lines {
				if !strings.Contains(l, "Max-Age=0") {
					t.Fatalf("not a deletion: %.60q", l)
				}
			}
			e.apply(lines)
			if len(e.jar) != 0 {
				t.Fatalf("jar %v", e.jar)
			}
			if lines, err := st.Commit(ctx, s); err != nil || lines != nil {
				t.Fatalf("Commit again: %v, %q", err, lines)
			}
		})
	}
}

// TestTimeoutCap checks that timeouts past 400 days are refused by New,
// and that a sealer refusing a save's times (here, past 2106) is
// reported as an expiry, not as data that does not encode.
func TestTimeoutCap(t *testing.T) {
	day := 24 * time.Hour
	cases := []struct {
		name      string
		idle, abs time.Duration
		ok        bool
	}{
		{"idle at the cap without an absolute timeout", 400 * day, 0, false},
		{"idle and absolute at the cap", 400 * day, 400 * day, true},
		{"idle past the cap", 401 * day, 0, false},
		{"absolute past the cap", day, 401 * day, false},
		{"past 2106", 100 * 365 * day, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cookiestore.New(encrypted.New(ring(t)), cookiestore.Options[account]{IdleTimeout: tc.idle, AbsoluteTimeout: tc.abs})
			if tc.ok != (err == nil) || !tc.ok && !errors.Is(err, cookiestore.ErrConfig) {
				t.Fatalf("err=%v, want ok=%v", err, tc.ok)
			}
		})
	}

	clk := &clock{t: time.Date(2106, 2, 7, 0, 0, 0, 0, time.UTC)}
	var reported []error
	st, err := cookiestore.New(encrypted.New(ring(t), crumb.WithClock(clk.Now)), cookiestore.Options[account]{
		Now: clk.Now, OnError: func(_ context.Context, err error) { reported = append(reported, err) }})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := st.LoadHeader(context.Background(), "")
	s.Data.Email = "a"
	lines, err := st.Commit(context.Background(), s)
	if errors.Is(err, cookiestore.ErrCodec) || err == nil && (len(reported) != 1 || !errors.Is(reported[0], cookiestore.ErrExpired)) {
		t.Fatalf("Commit past 2106: lines %q, err %v, reported %v", lines, err, reported)
	}
}

// TestChunkNameCollision checks that cookies named like chunks do not
// break a session: a store that does not chunk ignores them, and a
// chunking store whose cookie opens on its own expires them as stale
// instead of refusing the session.
func TestChunkNameCollision(t *testing.T) {
	ctx := context.Background()
	big := randomText(7000)
	cases := []struct {
		name      string
		maxChunks int
		blob      string
		// extra is added to the Cookie header.
		extra string
		// deleted is the chunk cookies the response must expire.
		deleted []string
	}{
		{"no chunking, unrelated sid.1", 0, "", "sid.1=unrelated", nil},
		{"no chunking, several", 0, "", "sid.1=x; sid.2=y; sid.7=z", nil},
		{"chunking, stale sid.1", 4, "", "sid.1=stale", []string{"sid.1"}},
		{"chunking, stale sid.2 after a gap", 4, "", "sid.2=stale", []string{"sid.2"}},
		{"chunking, beyond MaxChunks", 2, "", "sid.3=unrelated", nil},
		{"chunked, stale sid.3", 4, big, "sid.3=stale", []string{"sid.3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, ring(t), cookiestore.Options[account]{Name: "sid", InsecureHTTP: true, MaxChunks: tc.maxChunks})
			e.request(func(s *cookiestore.Session[account]) { s.Data.Email = "a"; s.Data.Blob = tc.blob })
			s, err := e.store.LoadHeader(ctx, e.header()+"; "+tc.extra)
			if err != nil || s.IsNew() || s.Data.Email != "a" || s.Data.Blob != tc.blob {
				t.Fatalf("load with %q: %v", tc.extra, err)
			}
			lines, err := e.store.Commit(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			var deleted []string
			for _, l := range lines {
				if !strings.Contains(l, "Max-Age=0") {
					t.Fatalf("unchanged session re-sealed: %.40q", l)
				}
				deleted = append(deleted, strings.Split(l, "=")[0])
			}
			if strings.Join(deleted, ",") != strings.Join(tc.deleted, ",") {
				t.Fatalf("deleted %q, want %q", deleted, tc.deleted)
			}
			if lines, _ := e.store.Commit(ctx, s); lines != nil {
				t.Fatalf("second Commit: %q", lines)
			}
			// A change is saved, and touches only the store's cookies.
			s.Data.Email = "b"
			lines, err = e.store.Commit(ctx, s)
			if err != nil || len(lines) == 0 {
				t.Fatalf("save: %v", err)
			}
			for _, l := range lines {
				if strings.Contains(l, "Max-Age=0") {
					t.Fatalf("save after the clean-up deletes again: %.40q", l)
				}
			}
		})
	}
	// Without the first cookie, chunk names alone are no session.
	e := newEnv(t, ring(t), cookiestore.Options[account]{Name: "sid", InsecureHTTP: true})
	if s, err := e.store.LoadHeader(ctx, "sid.1=unrelated"); !errors.Is(err, cookiestore.ErrNoCookie) || !s.IsNew() {
		t.Fatalf("lone chunk name with chunking off: %v", err)
	}
}
