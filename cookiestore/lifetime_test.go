package cookiestore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/encrypted"
)

// TestIdleTimeoutHoldsForEveryRenewFraction: a user whose requests come
// less than IdleTimeout apart is never logged out, whatever
// RenewFraction; one idle for IdleTimeout×(1+RenewFraction) is.
func TestIdleTimeoutHoldsForEveryRenewFraction(t *testing.T) {
	for _, tc := range []struct {
		fraction float64
		gap      time.Duration
	}{
		{0.9, 20 * time.Minute}, // logged out at 60 minutes before the fix
		{0.9, 59 * time.Minute},
		{1, 59*time.Minute + 59*time.Second},
		{0.25, 59*time.Minute + 59*time.Second},
		{0.01, 59 * time.Minute},
	} {
		t.Run(fmt.Sprintf("%v every %v", tc.fraction, tc.gap), func(t *testing.T) {
			e := newEnv(t, ring(t), cookiestore.Options[account]{IdleTimeout: time.Hour, RenewFraction: tc.fraction})
			e.request(func(s *cookiestore.Session[account]) { s.Data.Email = "a" })
			for i := 1; i <= 12; i++ {
				e.clk.Advance(tc.gap)
				if _, err := e.request(func(s *cookiestore.Session[account]) {
					if s.IsNew() {
						t.Fatalf("logged out after %v of requests every %v", time.Duration(i)*tc.gap, tc.gap)
					}
				}); err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
			}
			// The upper bound: IdleTimeout plus one renewal interval.
			e.clk.Advance(time.Hour + time.Duration(float64(time.Hour)*tc.fraction))
			if _, err := e.request(nil); !errors.Is(err, cookiestore.ErrExpired) {
				t.Fatalf("idle for IdleTimeout×(1+RenewFraction): %v", err)
			}
		})
	}
}

// TestIdleTimeoutAboveDefaultAbsoluteRefused: an IdleTimeout longer
// than the default absolute lifetime, alone, is a configuration error
// rather than a silent raise of the absolute lifetime.
func TestIdleTimeoutAboveDefaultAbsoluteRefused(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		name string
		opts cookiestore.Options[account]
		ok   bool
	}{
		{"idle 30 days alone", cookiestore.Options[account]{IdleTimeout: 30 * day}, false},
		{"idle 30 days, absolute 60", cookiestore.Options[account]{IdleTimeout: 30 * day, AbsoluteTimeout: 60 * day}, true},
		{"idle at the default absolute", cookiestore.Options[account]{IdleTimeout: cookiestore.DefaultAbsoluteTimeout}, true},
		{"remember idle 100 days alone", cookiestore.Options[account]{Remember: cookiestore.RememberOptions{Idle: 100 * day}}, false},
		{"remember idle over absolute", cookiestore.Options[account]{Remember: cookiestore.RememberOptions{Idle: 10 * day, Absolute: 5 * day}}, false},
		{"remember over the cap", cookiestore.Options[account]{Remember: cookiestore.RememberOptions{Idle: day, Absolute: 401 * day}}, false},
		{"remember set", cookiestore.Options[account]{Remember: cookiestore.RememberOptions{Idle: 60 * day, Absolute: 365 * day}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cookiestore.New(encrypted.New(ring(t)), tc.opts)
			if tc.ok != (err == nil) || !tc.ok && !errors.Is(err, cookiestore.ErrConfig) {
				t.Fatalf("err=%v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func maxAge(t *testing.T, line string) string {
	t.Helper()
	for _, a := range strings.Split(line, "; ") {
		if v, ok := strings.CutPrefix(a, "Max-Age="); ok {
			return v
		}
	}
	return ""
}

// TestLifetimeSealedInRecord: a Store with default Options (an edge
// gate's) opens a session another Store issued and enforces and renews
// it with that Store's timeouts, as sealed in the record.
func TestLifetimeSealedInRecord(t *testing.T) {
	r := ring(t)
	origin := newEnv(t, r, cookiestore.Options[account]{IdleTimeout: time.Hour, AbsoluteTimeout: 3 * time.Hour, RenewFraction: 0.5})
	edge := newEnv(t, r, cookiestore.Options[account]{})
	edge.clk = origin.clk
	edge.store, _ = cookiestore.New(encrypted.New(r, crumb.WithClock(origin.clk.Now)), cookiestore.Options[account]{Now: origin.clk.Now})

	origin.request(func(s *cookiestore.Session[account]) { s.Data.Email = "a" })
	load := func(st *cookiestore.Store[account]) *cookiestore.Session[account] {
		s, err := st.LoadHeader(context.Background(), origin.header())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	want := cookiestore.Lifetime{Idle: time.Hour, Absolute: 3 * time.Hour, RenewAfter: 30 * time.Minute}
	if got := load(edge.store).Lifetime(); got != want {
		t.Fatalf("edge sees lifetime %+v, want %+v", got, want)
	}
	origin.clk.Advance(29 * time.Minute)
	if load(edge.store).RenewalDue() || load(origin.store).RenewalDue() {
		t.Fatal("renewal due before RenewAfter")
	}
	origin.clk.Advance(time.Minute)
	es, os := load(edge.store), load(origin.store)
	if !es.RenewalDue() || !os.RenewalDue() {
		t.Fatal("renewal not due at RenewAfter")
	}
	el, err := edge.store.Commit(context.Background(), es)
	if err != nil {
		t.Fatal(err)
	}
	ol, err := origin.store.Commit(context.Background(), os)
	if err != nil {
		t.Fatal(err)
	}
	if len(el) != 1 || len(ol) != 1 || maxAge(t, el[0]) != "5400" || maxAge(t, ol[0]) != "5400" {
		t.Fatalf("edge renewed with %q, origin with %q; want Max-Age=5400 from both", el, ol)
	}
	if !es.Expires().Equal(origin.clk.Now().Add(90*time.Minute)) || es.RenewalDue() {
		t.Fatalf("after Commit: Expires %v, RenewalDue %v", es.Expires(), es.RenewalDue())
	}
	origin.apply(el)
	// The absolute end is the origin's three hours, not the edge's
	// default seven days, however active the session.
	edge.jar, edge.order = origin.jar, origin.order
	for elapsed := 30 * time.Minute; ; {
		origin.clk.Advance(29 * time.Minute)
		elapsed += 29 * time.Minute
		_, err := edge.request(nil)
		if elapsed < 3*time.Hour && err != nil {
			t.Fatalf("edge ended an active session after %v: %v", elapsed, err)
		}
		if elapsed >= 3*time.Hour {
			if !errors.Is(err, cookiestore.ErrExpired) {
				t.Fatalf("edge kept the session %v after its creation: %v", elapsed, err)
			}
			break
		}
	}
}

// TestRecordWithoutLifetime: a record written before lifetimes were
// sealed opens with the opening Store's options.
func TestRecordWithoutLifetime(t *testing.T) {
	clk := newClock()
	sealer := encrypted.New(ring(t), crumb.WithClock(clk.Now))
	st := mustNew(t, sealer, cookiestore.Options[account]{IdleTimeout: time.Hour, Now: clk.Now})
	rec := fmt.Sprintf(`{"i":"%s","c":%d,"d":{"email":"a"}}`, strings.Repeat("A", 43), clk.Now().Unix())
	v, err := sealer.Seal("__Host-session", []byte(rec), clk.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	s, err := st.LoadHeader(context.Background(), "__Host-session="+v)
	if err != nil || s.Data.Email != "a" {
		t.Fatalf("old record: %v", err)
	}
	if got, want := s.Lifetime(), (cookiestore.Lifetime{Idle: time.Hour, Absolute: cookiestore.DefaultAbsoluteTimeout, RenewAfter: 15 * time.Minute}); got != want {
		t.Fatalf("lifetime %+v, want the store's %+v", got, want)
	}
}

// TestRecordLifetimeOutOfBounds: a record whose sealed lifetime no
// Store could have written is refused.
func TestRecordLifetimeOutOfBounds(t *testing.T) {
	clk := newClock()
	sealer := encrypted.New(ring(t), crumb.WithClock(clk.Now))
	st := mustNew(t, sealer, cookiestore.Options[account]{Now: clk.Now})
	now := clk.Now().Unix()
	day := int64(86400)
	for _, life := range []string{
		fmt.Sprintf(`"t":%d,"r":1,"a":%d`, 401*day, now+402*day), // idle over the cap
		fmt.Sprintf(`"t":60,"r":61,"a":%d`, now+day),             // renewal after the idle timeout
		fmt.Sprintf(`"t":60,"r":1,"a":%d`, now),                  // absolute deadline at creation
		fmt.Sprintf(`"t":60,"r":1,"a":%d`, now+401*day),          // absolute over the cap
		`"t":-5,"r":1`,
	} {
		rec := fmt.Sprintf(`{"i":"%s","c":%d,%s,"d":{}}`, strings.Repeat("A", 43), now, life)
		v, err := sealer.Seal("__Host-session", []byte(rec), clk.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.LoadHeader(context.Background(), "__Host-session="+v); !errors.Is(err, cookiestore.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", life, err)
		}
	}
}

// TestRemember: Remember(true) persists with Options.Remember's
// timeouts, Remember(false) gives a browser-session cookie; the choice
// holds on later requests, renewals and Regenerate, and Destroy drops it.
func TestRemember(t *testing.T) {
	day := 24 * time.Hour
	e := newEnv(t, ring(t), cookiestore.Options[account]{})

	lines, _ := e.request(func(s *cookiestore.Session[account]) {
		s.Regenerate()
		s.Remember(true)
		s.Data.Email = "a"
	})
	// 30 days plus a quarter of them.
	if len(lines) != 1 || maxAge(t, lines[0]) != "3240000" {
		t.Fatalf("remembered: %q", lines)
	}
	// Two weeks of silence: the default 24-hour idle timeout would
	// have ended it; the sealed 30 days do not.
	e.clk.Advance(14 * day)
	lines, err := e.request(func(s *cookiestore.Session[account]) {
		if s.IsNew() || s.Lifetime().Idle != cookiestore.DefaultRememberIdle {
			t.Fatalf("remembered session after two weeks: new=%v lifetime %+v", s.IsNew(), s.Lifetime())
		}
		s.Regenerate()
	})
	if err != nil || len(lines) != 1 || maxAge(t, lines[0]) != "3240000" {
		t.Fatalf("regenerated remembered session: %v %q", err, lines)
	}
	// Its absolute lifetime: 90 days from the last Regenerate.
	for i := 0; i < 4; i++ {
		e.clk.Advance(22 * day)
		if _, err := e.request(nil); err != nil {
			t.Fatalf("active remembered session, day %d: %v", 14+22*(i+1), err)
		}
	}
	e.clk.Advance(3 * day) // 91 days after the Regenerate
	if _, err := e.request(nil); !errors.Is(err, cookiestore.ErrExpired) {
		t.Fatalf("remembered session past 90 days: %v", err)
	}

	// Not remembered: a browser-session cookie, also on renewal.
	lines, _ = e.request(func(s *cookiestore.Session[account]) {
		s.Remember(false)
		s.Data.Email = "b"
	})
	if len(lines) != 1 || strings.Contains(lines[0], "Max-Age") || strings.Contains(lines[0], "Expires") {
		t.Fatalf("not remembered: %q", lines)
	}
	e.clk.Advance(7 * time.Hour)
	lines, _ = e.request(func(s *cookiestore.Session[account]) {
		if !s.Lifetime().BrowserSession || !s.RenewalDue() {
			t.Fatalf("lifetime %+v, RenewalDue %v", s.Lifetime(), s.RenewalDue())
		}
	})
	if len(lines) != 1 || strings.Contains(lines[0], "Max-Age") {
		t.Fatalf("renewal of a browser-session cookie: %q", lines)
	}
	// Destroy, then new data: the store's default lifetime again.
	lines, _ = e.request(func(s *cookiestore.Session[account]) {
		s.Destroy()
		s.Data.Email = "c"
	})
	if len(lines) != 1 || maxAge(t, lines[0]) != "108000" {
		t.Fatalf("after Destroy: %q", lines)
	}
}

// TestExpiresAfterCommit: Expires reports what the response carries.
func TestExpiresAfterCommit(t *testing.T) {
	e := newEnv(t, ring(t), cookiestore.Options[account]{IdleTimeout: time.Hour})
	ctx := context.Background()
	s, _ := e.store.LoadHeader(ctx, "")
	if !s.Expires().IsZero() {
		t.Fatal("new session with an expiry")
	}
	s.Data.Email = "a"
	lines, err := e.store.Commit(ctx, s)
	if err != nil || len(lines) != 1 {
		t.Fatal(err)
	}
	if want := e.clk.Now().Add(75 * time.Minute); !s.Expires().Equal(want) {
		t.Fatalf("Expires after Commit %v, want %v", s.Expires(), want)
	}
	s.Destroy()
	if _, err := e.store.Commit(ctx, s); err != nil {
		t.Fatal(err)
	}
	if !s.Expires().IsZero() {
		t.Fatalf("Expires after the cookie was cleared: %v", s.Expires())
	}
}

func mustNew(t *testing.T, s crumb.Sealer, o cookiestore.Options[account]) *cookiestore.Store[account] {
	t.Helper()
	st, err := cookiestore.New(s, o)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
