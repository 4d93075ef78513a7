package cookiestore_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/keys"
)

func TestNewSessionNotSavedUntilChanged(t *testing.T) {
	e := newEnv(t, ring(t), cookiestore.Options[account]{})
	lines, err := e.request(func(s *cookiestore.Session[account]) {
		if !s.IsNew() || s.Err() != nil {
			t.Fatalf("IsNew=%v Err=%v", s.IsNew(), s.Err())
		}
		_ = s.Data.Email
	})
	if !errors.Is(err, cookiestore.ErrNoCookie) || lines != nil {
		t.Fatalf("untouched new session: err=%v lines=%q", err, lines)
	}
	lines, _ = e.request(func(s *cookiestore.Session[account]) { s.Data.Email = "a@example.com" })
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "__Host-session=") {
		t.Fatalf("lines=%q", lines)
	}
	// Max-Age: the idle timeout (24 h) plus the renewal interval (a
	// quarter of it), so a request just before a renewal falls due
	// still keeps the session for a full idle timeout.
	for _, want := range []string{"; Path=/", "; HttpOnly", "; Secure", "; SameSite=Lax", "; Max-Age=108000"} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("line lacks %q: %q", want, lines[0][len(lines[0])-80:])
		}
	}
	// Unchanged: no Set-Cookie.
	lines, err = e.request(func(s *cookiestore.Session[account]) {
		if s.IsNew() || s.Data.Email != "a@example.com" || len(s.ID()) != 43 {
			t.Fatalf("loaded session: new=%v data=%+v", s.IsNew(), s.Data)
		}
	})
	if err != nil || lines != nil {
		t.Fatalf("unchanged session: err=%v lines=%q", err, lines)
	}
}

func TestFlashes(t *testing.T) {
	e := newEnv(t, ring(t), cookiestore.Options[account]{})
	type notice struct {
		Level string
		N     int
	}
	e.request(func(s *cookiestore.Session[account]) {
		s.Flash("message", "hello")
		s.Flash("message", "world")
		s.Flash("typed", notice{"warn", 3})
		if got := s.Flashes("message"); got != nil {
			t.Fatalf("flash visible in the request that set it: %q", got)
		}
	})
	e.request(func(s *cookiestore.Session[account]) {
		if got := s.Flashes("message"); len(got) != 2 || got[0] != "hello" || got[1] != "world" {
			t.Fatalf("Flashes=%q", got)
		}
		got, err := cookiestore.FlashValues[notice](s, "typed")
		if err != nil || len(got) != 1 || got[0] != (notice{"warn", 3}) {
			t.Fatalf("FlashValues=%v, %v", got, err)
		}
		if _, err := cookiestore.FlashValues[int](s, "message"); !errors.Is(err, cookiestore.ErrCodec) {
			t.Fatalf("mistyped FlashValues err=%v", err)
		}
		s.Keep("typed")
	})
	e.request(func(s *cookiestore.Session[account]) {
		if got := s.Flashes("message"); got != nil {
			t.Fatalf("flash survived a second request: %q", got)
		}
		if got, _ := cookiestore.FlashValues[notice](s, "typed"); len(got) != 1 {
			t.Fatalf("kept flash lost: %v", got)
		}
		s.Flash("x", "y")
		s.Reflash()
	})
	lines, _ := e.request(func(s *cookiestore.Session[account]) {
		if len(s.Flashes("x")) != 1 {
			t.Fatal("new flash lost")
		}
		if got, _ := cookiestore.FlashValues[notice](s, "typed"); len(got) != 1 {
			t.Fatalf("reflashed flash lost: %v", got)
		}
	})
	if lines == nil {
		t.Fatal("dropping the flashes needs a Set-Cookie")
	}
	if lines, _ := e.request(nil); lines != nil {
		t.Fatalf("no flashes left, yet a Set-Cookie: %q", lines)
	}
	e.request(func(s *cookiestore.Session[account]) {
		if s.Flashes("x") != nil || s.IsNew() {
			t.Fatalf("flashes=%q new=%v", s.Flashes("x"), s.IsNew())
		}
	})
	// A flash alone on a new session saves it.
	e2 := newEnv(t, ring(t), cookiestore.Options[account]{})
	if lines, _ := e2.request(func(s *cookiestore.Session[account]) { s.Flash("m", 1) }); len(lines) != 1 {
		t.Fatalf("flash on a new session: %q", lines)
	}
}

func TestRegenerateAndDestroy(t *testing.T) {
	e := newEnv(t, ring(t), cookiestore.Options[account]{})
	var id1, id2 string
	e.request(func(s *cookiestore.Session[account]) { s.Data.Email = "a"; id1 = s.ID() })
	e.clk.Advance(time.Hour)
	e.request(func(s *cookiestore.Session[account]) {
		created := s.Created()
		s.Regenerate()
		id2 = s.ID()
		if id2 == id1 || !s.Created().After(created) {
			t.Fatalf("Regenerate kept the ID or the creation time")
		}
	})
	e.request(func(s *cookiestore.Session[account]) {
		if s.ID() != id2 || s.Data.Email != "a" {
			t.Fatalf("after Regenerate: id changed=%v data=%+v", s.ID() != id2, s.Data)
		}
	})
	lines, _ := e.request(func(s *cookiestore.Session[account]) { s.Destroy() })
	if len(lines) != 1 || !strings.Contains(lines[0], "Max-Age=0") || !strings.HasPrefix(lines[0], "__Host-session=;") {
		t.Fatalf("Destroy lines=%q", lines)
	}
	if len(e.jar) != 0 {
		t.Fatalf("jar after Destroy: %v", e.jar)
	}
	// Destroy, then data: a new session with a new ID.
	e.request(func(s *cookiestore.Session[account]) { s.Data.Email = "b"; id1 = s.ID() })
	e.request(func(s *cookiestore.Session[account]) {
		s.Destroy()
		s.Flash("message", "bye")
		id2 = s.ID()
	})
	e.request(func(s *cookiestore.Session[account]) {
		if s.IsNew() || s.Data.Email != "" || s.ID() == id1 || s.ID() != id2 || len(s.Flashes("message")) != 1 {
			t.Fatalf("after Destroy+Flash: new=%v data=%+v", s.IsNew(), s.Data)
		}
	})
}

func TestIdleAndAbsoluteExpiry(t *testing.T) {
	opts := cookiestore.Options[account]{IdleTimeout: time.Hour, AbsoluteTimeout: 3 * time.Hour, RenewFraction: 0.25}
	e := newEnv(t, ring(t), opts)
	e.request(func(s *cookiestore.Session[account]) { s.Data.Email = "a" })

	// Before a quarter of the idle timeout: no renewal.
	e.clk.Advance(14 * time.Minute)
	if lines, err := e.request(nil); err != nil || lines != nil {
		t.Fatalf("early: err=%v lines=%q", err, lines)
	}
	// After it: renewed once, then quiet again.
	e.clk.Advance(2 * time.Minute)
	if lines, err := e.request(nil); err != nil || len(lines) != 1 || !strings.Contains(lines[0], "Max-Age=4500") {
		t.Fatalf("renewal: err=%v lines=%q", err, lines)
	}
	if lines, _ := e.request(nil); lines != nil {
		t.Fatalf("renewed twice: %q", lines)
	}
	// Keep it alive with a request every 50 minutes: it slides...
	for i := 0; i < 3; i++ {
		e.clk.Advance(50 * time.Minute)
		if _, err := e.request(nil); err != nil {
			t.Fatalf("slide %d: %v", i, err)
		}
	}
	// ...and near the absolute cap the cookie's expiry stops growing.
	e.clk.Advance(15 * time.Minute) // 16+150+15 = 181 minutes: past 3h
	_, err := e.request(func(s *cookiestore.Session[account]) {
		if !s.IsNew() {
			t.Fatal("session outlived its absolute lifetime")
		}
	})
	if !errors.Is(err, cookiestore.ErrExpired) {
		t.Fatalf("absolute: %v", err)
	}

	// Idle: a fresh session, then more than an hour and its renewal
	// interval of silence.
	e2 := newEnv(t, ring(t), opts)
	e2.request(func(s *cookiestore.Session[account]) { s.Data.Email = "a" })
	e2.clk.Advance(time.Hour + 17*time.Minute)
	if _, err := e2.request(nil); !errors.Is(err, cookiestore.ErrExpired) || !errors.Is(err, crumb.ErrExpired) {
		t.Fatalf("idle: %v", err)
	}
}

func TestAbsoluteCapsSealedExpiry(t *testing.T) {
	e := newEnv(t, ring(t), cookiestore.Options[account]{IdleTimeout: time.Hour, AbsoluteTimeout: 90 * time.Minute})
	e.request(func(s *cookiestore.Session[account]) { s.Data.Email = "a" })
	e.clk.Advance(59 * time.Minute)
	lines, _ := e.request(nil)
	// 90-59 = 31 minutes left, not 60.
	if len(lines) != 1 || !strings.Contains(lines[0], "Max-Age=1860;") {
		t.Fatalf("lines=%q", lines)
	}
	e.clk.Advance(31 * time.Minute)
	if _, err := e.request(nil); !errors.Is(err, cookiestore.ErrExpired) {
		t.Fatalf("err=%v", err)
	}
}

func TestBrowserSession(t *testing.T) {
	e := newEnv(t, ring(t), cookiestore.Options[account]{BrowserSession: true, IdleTimeout: time.Hour})
	lines, _ := e.request(func(s *cookiestore.Session[account]) { s.Data.Email = "a" })
	if len(lines) != 1 || strings.Contains(lines[0], "Max-Age") || strings.Contains(lines[0], "Expires") {
		t.Fatalf("lines=%q", lines)
	}
	e.clk.Advance(2 * time.Hour)
	if _, err := e.request(nil); !errors.Is(err, cookiestore.ErrExpired) {
		t.Fatalf("browser-session cookie not expired in the token: %v", err)
	}
}

func TestRotation(t *testing.T) {
	old := ring(t)
	e := newEnv(t, old, cookiestore.Options[account]{})
	e.request(func(s *cookiestore.Session[account]) { s.Data.Email = "a" })

	k, err := keys.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := old.Rotate(k, 2)
	if err != nil {
		t.Fatal(err)
	}
	e2 := newEnv(t, rotated, cookiestore.Options[account]{})
	e2.clk, e2.jar, e2.order = e.clk, e.jar, e.order
	e2.store, _ = cookiestore.New(encrypted.New(rotated, crumb.WithClock(e.clk.Now)), cookiestore.Options[account]{Now: e.clk.Now})
	lines, err := e2.request(func(s *cookiestore.Session[account]) {
		if s.IsNew() || s.Data.Email != "a" {
			t.Fatal("old-primary cookie not accepted")
		}
	})
	if err != nil || len(lines) != 1 {
		t.Fatalf("rotation: err=%v lines=%q", err, lines)
	}
	// The new value opens with the new key alone.
	only, _ := keys.NewRing(k)
	name, value, _ := strings.Cut(strings.Split(lines[0], ";")[0], "=")
	if _, err := encrypted.New(only, crumb.WithClock(e.clk.Now)).Open(name, value); err != nil {
		t.Fatalf("re-sealed value does not open with the new primary: %v", err)
	}
	if lines, _ := e2.request(nil); lines != nil {
		t.Fatalf("re-sealed again: %q", lines)
	}
}

func randomText(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

func TestChunking(t *testing.T) {
	e := newEnv(t, ring(t), cookiestore.Options[account]{MaxChunks: 4})
	big := randomText(7000)
	lines, _ := e.request(func(s *cookiestore.Session[account]) { s.Data.Blob = big })
	if len(lines) != 3 {
		t.Fatalf("grow: %d lines", len(lines))
	}
	for i, want := range []string{"__Host-session=", "__Host-session.1=", "__Host-session.2="} {
		if !strings.HasPrefix(lines[i], want) || len(lines[i]) > 4096 {
			t.Fatalf("line %d: %.30q, %d bytes", i, lines[i], len(lines[i]))
		}
	}
	e.request(func(s *cookiestore.Session[account]) {
		if s.Data.Blob != big {
			t.Fatal("chunked session did not reassemble")
		}
	})
	full := e.header()

	// Missing middle chunk, missing last chunk, reordered chunks,
	// and a chunk moved from another session: all invalid.
	parts := strings.Split(full, "; ")
	cases := map[string]string{
		"missing last":   strings.Join(parts[:2], "; "),
		"missing middle": parts[0] + "; " + parts[2],
		"reordered": parts[0] + "; __Host-session.1=" + strings.SplitN(parts[2], "=", 2)[1] +
			"; __Host-session.2=" + strings.SplitN(parts[1], "=", 2)[1],
		"first missing": strings.Join(parts[1:], "; "),
	}
	for name, h := range cases {
		s, err := e.store.LoadHeader(context.Background(), h)
		if !errors.Is(err, cookiestore.ErrInvalid) || !s.IsNew() {
			t.Errorf("%s: err=%v", name, err)
		}
		if err != nil && strings.Contains(err.Error(), parts[0][20:60]) {
			t.Errorf("%s: error quotes the cookie", name)
		}
	}

	// Shrink: one cookie, and the two stale chunks are expired.
	lines, _ = e.request(func(s *cookiestore.Session[account]) { s.Data.Blob = "small" })
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "__Host-session.1=;") || !strings.Contains(lines[2], "Max-Age=0") {
		t.Fatalf("shrink: %q", lines)
	}
	if len(e.jar) != 1 {
		t.Fatalf("jar after shrink: %d cookies", len(e.jar))
	}
	// Grow again then Destroy: every chunk expires.
	e.request(func(s *cookiestore.Session[account]) { s.Data.Blob = big })
	lines, _ = e.request(func(s *cookiestore.Session[account]) { s.Destroy() })
	if len(lines) != 3 || len(e.jar) != 0 {
		t.Fatalf("destroy chunked: %d lines, jar %d", len(lines), len(e.jar))
	}
	// More than MaxChunks would hold.
	s, _ := e.store.LoadHeader(context.Background(), "")
	s.Data.Blob = randomText(12000)
	if _, err := e.store.Commit(context.Background(), s); !errors.Is(err, cookiestore.ErrTooLarge) {
		t.Fatalf("over MaxChunks: %v", err)
	}
}

func TestTooLargeWithoutChunking(t *testing.T) {
	e := newEnv(t, ring(t), cookiestore.Options[account]{})
	s, _ := e.store.LoadHeader(context.Background(), "")
	s.Data.Blob = randomText(3900)
	lines, err := e.store.Commit(context.Background(), s)
	if !errors.Is(err, cookiestore.ErrTooLarge) || lines != nil {
		t.Fatalf("err=%v lines=%d", err, len(lines))
	}
	// Just under the limit fits, and the whole line is measured.
	s.Data.Blob = randomText(2800)
	lines, err = e.store.Commit(context.Background(), s)
	if err != nil || len(lines) != 1 || len(lines[0]) > 4096 {
		t.Fatalf("err=%v", err)
	}
}

// changeCase saves a session whose data init sets, loads it again, lets
// mutate change it in place and reports whether Commit saved it. When
// it did, the saved data must load back equal to the mutated data.
func changeCase[T any](t *testing.T, opts cookiestore.Options[T], init, mutate func(*T)) bool {
	t.Helper()
	clk := newClock()
	opts.Now = clk.Now
	st, err := cookiestore.New(encrypted.New(ring(t), crumb.WithClock(clk.Now)), opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cookie := func(lines []string) string { return strings.Split(lines[0], ";")[0] }
	s, _ := st.LoadHeader(ctx, "")
	init(&s.Data)
	s.MarkChanged()
	lines, err := st.Commit(ctx, s)
	if err != nil || len(lines) != 1 {
		t.Fatalf("first save: %v, %d lines", err, len(lines))
	}
	s, err = st.LoadHeader(ctx, cookie(lines))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	mutate(&s.Data)
	lines, err = st.Commit(ctx, s)
	if err != nil {
		t.Fatalf("commit: %v", err)
	}
	if lines == nil {
		return false
	}
	again, err := st.LoadHeader(ctx, cookie(lines))
	if err != nil || !reflect.DeepEqual(again.Data, s.Data) {
		t.Fatalf("saved data did not load back: %v, %+v vs %+v", err, again.Data, s.Data)
	}
	if lines, _ := st.Commit(ctx, again); lines != nil {
		t.Fatal("reloaded data counts as changed")
	}
	return true
}

// TestChangeDetection covers how Commit tells whether the handler
// changed Data in place: field by field for plain types, by encoding
// for the rest (maps, slices and pointers can change under a shallow
// copy; floats can change sign at zero), and with a codec-invisible
// change (an unexported field) not counting.
func TestChangeDetection(t *testing.T) {
	type plain struct {
		Email  string `json:"email"`
		Failed int    `json:"failed"`
		Tags   [2]string
		hidden string
	}
	type withMap struct{ M map[string]int }
	type withPtr struct{ P *int }
	type withSlice struct{ L []string }
	type withTime struct{ At time.Time }
	type withFloat struct{ F float64 }
	lower := func(_ context.Context, p *plain) error { p.Email = strings.ToLower(p.Email); return nil }
	cases := []struct {
		name string
		run  func(t *testing.T) bool
		want bool
	}{
		{"plain unchanged", func(t *testing.T) bool {
			return changeCase(t, cookiestore.Options[plain]{}, func(p *plain) { p.Email = "a" }, func(*plain) {})
		}, false},
		{"plain same value again", func(t *testing.T) bool {
			return changeCase(t, cookiestore.Options[plain]{}, func(p *plain) { p.Email = "a" }, func(p *plain) { p.Email = string([]byte("a")) })
		}, false},
		{"plain field", func(t *testing.T) bool {
			return changeCase(t, cookiestore.Options[plain]{}, func(p *plain) { p.Email = "a" }, func(p *plain) { p.Failed++ })
		}, true},
		{"plain array element", func(t *testing.T) bool {
			return changeCase(t, cookiestore.Options[plain]{}, func(p *plain) {}, func(p *plain) { p.Tags[1] = "x" })
		}, true},
		{"plain field back to zero", func(t *testing.T) bool {
			return changeCase(t, cookiestore.Options[plain]{}, func(p *plain) { p.Email = "a"; p.Failed = 2 }, func(p *plain) { p.Failed = 0 })
		}, true},
		{"unexported field only", func(t *testing.T) bool {
			return changeCase(t, cookiestore.Options[plain]{}, func(p *plain) { p.Email = "a" }, func(p *plain) { p.hidden = "x" })
		}, false},
		{"Validate normalises", func(t *testing.T) bool {
			// The first save stores "A" (Validate runs on load only);
			// the load lowers it, which is a change to save.
			return changeCase(t, cookiestore.Options[plain]{Validate: lower}, func(p *plain) { p.Email = "A" }, func(*plain) {})
		}, true},
		{"map entry in place", func(t *testing.T) bool {
			return changeCase(t, cookiestore.Options[withMap]{}, func(w *withMap) { w.M = map[string]int{"a": 1} }, func(w *withMap) { w.M["a"]++ })
		}, true},
		{"map unchanged", func(t *testing.T) bool {
			return changeCase(t, cookiestore.Options[withMap]{}, func(w *withMap) { w.M = map[string]int{"a": 1} }, func(*withMap) {})
		}, false},
		{"through a pointer", func(t *testing.T) bool {
			return changeCase(t, cookiestore.Options[withPtr]{}, func(w *withPtr) { w.P = new(int) }, func(w *withPtr) { *w.P = 7 })
		}, true},
		{"slice element in place", func(t *testing.T) bool {
			return changeCase(t, cookiestore.Options[withSlice]{}, func(w *withSlice) { w.L = []string{"a"} }, func(w *withSlice) { w.L[0] = "b" })
		}, true},
		{"time", func(t *testing.T) bool {
			return changeCase(t, cookiestore.Options[withTime]{}, func(w *withTime) { w.At = time.Unix(1e9, 0).UTC() }, func(w *withTime) { w.At = w.At.Add(time.Second) })
		}, true},
		{"time unchanged", func(t *testing.T) bool {
			return changeCase(t, cookiestore.Options[withTime]{}, func(w *withTime) { w.At = time.Unix(1e9, 0).UTC() }, func(*withTime) {})
		}, false},
		{"float sign at zero", func(t *testing.T) bool {
			return changeCase(t, cookiestore.Options[withFloat]{}, func(*withFloat) {}, func(w *withFloat) { w.F = math.Copysign(0, -1) })
		}, true},
		{"int data", func(t *testing.T) bool {
			return changeCase(t, cookiestore.Options[int]{}, func(n *int) { *n = 5 }, func(n *int) { *n = 6 })
		}, true},
		{"int data unchanged", func(t *testing.T) bool {
			return changeCase(t, cookiestore.Options[int]{}, func(n *int) { *n = 5 }, func(*int) {})
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.run(t); got != tc.want {
				t.Fatalf("saved = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestFlipChar checks the tampering helper on every base64url
// character: the result differs in exactly that place.
func TestFlipChar(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := 0; i < len(alphabet); i++ {
		in := "xx" + alphabet[i:i+1] + "yy"
		out := flipChar(in, 2)
		if len(out) != len(in) || out[2] == in[2] || out[:2] != "xx" || out[3:] != "yy" || strings.IndexByte(alphabet, out[2]) < 0 {
			t.Errorf("flipChar(%q, 2) = %q", in, out)
		}
	}
}
