package gate_test

import (
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/wasm"
	"github.com/crumbkit/crumb/wasm/gate"
)

// TestGateRenewsWithTheSealedLifetime: a gate configured with no
// timeouts renews a session when the origin would (its 1-hour idle
// timeout, sealed in the record), with the origin's cookie lifetime,
// not the 24-hour default.
func TestGateRenewsWithTheSealedLifetime(t *testing.T) {
	ring := must(keys.GenerateRing(nil))
	env := map[string]string{
		gate.EnvMode: "encrypted", gate.EnvKeys: ring.Export(), gate.EnvInsecure: "1",
		gate.EnvOrigin: "http://origin.internal/", gate.EnvProtected: "/private/",
	}
	cfg, err := gate.FromEnv(func(k string) string { return env[k] }, gate.EnvOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := gate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sealer := func(now func() time.Time) crumb.Sealer {
		s, _ := wasm.NewSymmetricSealer(wasm.ModeEncrypted, ring.Export(), crumb.WithClock(now))
		return s
	}
	now := time.Now()
	// mint: IdleTimeout 1h, so a renewal is due after 15 minutes and
	// the cookie lasts 75.
	fresh := mint(t, sealer, now.Add(-10*time.Minute), account{Email: "alice@example.com"})
	due := mint(t, sealer, now.Add(-16*time.Minute), account{Email: "alice@example.com"})
	if sc := g.ServeEdge(request("/private/x", fresh)).Header.Values("set-cookie"); len(sc) != 0 {
		t.Fatalf("renewed a session 10 minutes old: %q", sc)
	}
	sc := g.ServeEdge(request("/private/x", due)).Header.Values("set-cookie")
	if len(sc) != 1 || !strings.Contains(sc[0], "; Max-Age=4500;") {
		t.Fatalf("renewal of a session 16 minutes old: %q, want the origin's 75-minute cookie", sc)
	}
}
