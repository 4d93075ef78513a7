package gate_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/kvstore"
	"github.com/crumbkit/crumb/wasm"
	"github.com/crumbkit/crumb/wasm/gate"
)

// downStore is a kvstore store that cannot be reached.
type downStore struct{}

func (downStore) Get(context.Context, string) ([]byte, error) {
	return nil, &kvstore.Error{Store: "test", Op: "get", Kind: kvstore.ErrUnavailable}
}
func (downStore) Set(context.Context, string, []byte, time.Duration) error {
	return &kvstore.Error{Store: "test", Op: "set", Kind: kvstore.ErrUnavailable}
}
func (downStore) Delete(context.Context, string) error {
	return &kvstore.Error{Store: "test", Op: "delete", Kind: kvstore.ErrUnavailable}
}

// TestGateRevocation: a cookie session revoked at the origin (its
// logout, or "log out everywhere" for its user) no longer passes the
// gate, though its cookie still opens; a revocation list that cannot be
// read is a 503, or, when the application chose fail-open, a read-only
// request goes through.
func TestGateRevocation(t *testing.T) {
	ring := must(keys.GenerateRing(nil))
	sealer := func(now func() time.Time) crumb.Sealer {
		s, _ := wasm.NewSymmetricSealer(wasm.ModeEncrypted, ring.Export(), crumb.WithClock(now))
		return s
	}
	env := map[string]string{
		gate.EnvKeys: ring.Export(), gate.EnvInsecure: "1",
		gate.EnvOrigin: "http://origin.internal", gate.EnvProtected: "/private/",
	}
	getenv := func(k string) string { return env[k] }
	store := kvstore.NewMemory(kvstore.MemoryConfig{})
	// The origin and the gate share the store; each has its own cache.
	originRev := kvstore.NewRevocations(store, kvstore.RevocationOptions{})
	gateRev := kvstore.NewRevocations(store, kvstore.RevocationOptions{MaxStale: -1})
	g := must(gate.New(must(gate.FromEnv(getenv, gate.EnvOptions{Revocation: gateRev}))))
	origin := must(cookiestore.New(sealer(time.Now), cookiestore.Options[account]{
		InsecureHTTP: true, IdleTimeout: time.Hour,
		User: func(a *account) string { return a.Email }, Revocation: originRev,
	}))

	now := time.Now()
	alice := mint(t, sealer, now, account{Email: "alice@example.com"})
	bob := mint(t, sealer, now, account{Email: "bob@example.com"})
	passes := func(cookie string) bool {
		t.Helper()
		resp := g.ServeEdge(request("/private/x", cookie))
		if resp.Forward != nil {
			return resp.Forward.Header.Get("X-Crumb-User") != ""
		}
		if resp.Status != 303 {
			t.Fatalf("gate answered %d", resp.Status)
		}
		return false
	}
	if !passes(alice) || !passes(bob) {
		t.Fatal("live sessions refused")
	}

	// Alice logs out at the origin; a copy of her cookie is refused,
	// and cleared.
	s, err := origin.LoadHeader(context.Background(), "session="+alice)
	if err != nil {
		t.Fatal(err)
	}
	s.Destroy()
	if _, err := origin.Commit(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	resp := g.ServeEdge(request("/private/x", alice))
	if resp.Forward != nil || resp.Status != 303 || !strings.Contains(resp.Header.Get("set-cookie"), "Max-Age=0") {
		t.Fatalf("revoked session at the gate: %+v, want a 303 clearing the cookie", resp)
	}

	// Log out everywhere for bob, from the origin.
	if err := originRev.RevokeUser(context.Background(), "bob@example.com", now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if passes(bob) {
		t.Fatal("bob's session passes the gate after log out everywhere")
	}

	// The list cannot be read.
	carol := mint(t, sealer, now, account{Email: "carol@example.com"})
	down := must(gate.New(must(gate.FromEnv(getenv, gate.EnvOptions{Revocation: kvstore.NewRevocations(downStore{}, kvstore.RevocationOptions{})}))))
	if resp := down.ServeEdge(request("/public", carol)); resp.Forward != nil || resp.Status != 503 || resp.Header.Get("vary") != "Cookie" {
		t.Fatalf("revocation list down: %+v, want 503", resp)
	}
	open := must(gate.New(must(gate.FromEnv(getenv, gate.EnvOptions{
		Revocation:         kvstore.NewRevocations(downStore{}, kvstore.RevocationOptions{}),
		RevocationFailOpen: cookiestore.ReadOnlyRequest,
	}))))
	if resp := open.ServeEdge(request("/private/x", carol)); resp.Forward == nil || resp.Forward.Header.Get("X-Crumb-User") != "carol@example.com" {
		t.Fatalf("fail-open GET with the list down: %+v, want forwarded", resp)
	}
	post := request("/private/x", carol)
	post.Method = "POST"
	if resp := open.ServeEdge(post); resp.Forward != nil || resp.Status != 503 {
		t.Fatalf("fail-open POST with the list down: %+v, want 503", resp)
	}
}
