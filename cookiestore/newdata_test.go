package cookiestore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/encrypted"
)

type prefs struct {
	Theme string `json:"theme"`
	Token int    `json:"token"`
}

// TestNewData: defaults fill a new session without making a read-only
// request send a Set-Cookie, even when they differ on every call; a
// change from them is saved; Destroy returns to them.
func TestNewData(t *testing.T) {
	clk := newClock()
	calls := 0
	st := mustPrefsStore(t, clk, cookiestore.Options[prefs]{NewData: func(p *prefs) {
		calls++
		p.Theme, p.Token = "light", calls
	}})
	ctx := context.Background()
	s, _ := st.LoadHeader(ctx, "")
	if s.Data.Theme != "light" || calls != 1 {
		t.Fatalf("new session: %+v, %d calls", s.Data, calls)
	}
	if lines, err := st.Commit(ctx, s); err != nil || lines != nil {
		t.Fatalf("read-only request: %v %q, want no Set-Cookie", err, lines)
	}
	s, _ = st.LoadHeader(ctx, "")
	s.Data.Theme = "dark"
	lines, err := st.Commit(ctx, s)
	if err != nil || len(lines) != 1 {
		t.Fatalf("changed: %v %q", err, lines)
	}
	cookie, _, _ := strings.Cut(lines[0], ";")
	s, err = st.LoadHeader(ctx, cookie)
	if err != nil || s.Data.Theme != "dark" || s.Data.Token != 2 {
		t.Fatalf("loaded: %v %+v", err, s.Data)
	}
	s.Destroy()
	if s.Data.Theme != "light" {
		t.Fatalf("after Destroy: %+v", s.Data)
	}
	lines, err = st.Commit(ctx, s)
	if err != nil || len(lines) != 1 || !strings.Contains(lines[0], "Max-Age=0") {
		t.Fatalf("destroyed with defaults only: %v %q, want the cookie cleared", err, lines)
	}
}

// TestMapDataFirstWrite: a map-typed session can be written on its
// first request, and a new one that is not written sends nothing.
func TestMapDataFirstWrite(t *testing.T) {
	clk := newClock()
	st, err := cookiestore.New(encrypted.New(ring(t), crumb.WithClock(clk.Now)), cookiestore.Options[map[string]any]{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, _ := st.LoadHeader(ctx, "")
	if lines, err := st.Commit(ctx, s); err != nil || lines != nil {
		t.Fatalf("untouched map session: %v %q", err, lines)
	}
	s, _ = st.LoadHeader(ctx, "")
	s.Data["user"] = "ada" // a nil map would panic here
	lines, err := st.Commit(ctx, s)
	if err != nil || len(lines) != 1 {
		t.Fatalf("written map session: %v %q", err, lines)
	}
	cookie, _, _ := strings.Cut(lines[0], ";")
	s, err = st.LoadHeader(ctx, cookie)
	if err != nil || s.Data["user"] != "ada" {
		t.Fatalf("loaded map session: %v %v", err, s.Data)
	}
	s.Destroy()
	s.Data["again"] = true // and after Destroy
	if _, err := st.Commit(ctx, s); err != nil {
		t.Fatal(err)
	}
}

func mustPrefsStore(t *testing.T, clk *clock, o cookiestore.Options[prefs]) *cookiestore.Store[prefs] {
	t.Helper()
	o.Now = clk.Now
	st, err := cookiestore.New(encrypted.New(ring(t), crumb.WithClock(clk.Now)), o)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
