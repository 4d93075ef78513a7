package wasm_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"math"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/keys/ed448"
	"github.com/crumbkit/crumb/wasm"
	"github.com/crumbkit/crumb/wasm/pubsealer"
)

// guest is the reactor ABI as a test drives it. nativeGuest calls
// wasm.Reactor directly; wazeroGuest calls the exports of the built
// reactor module, so one table checks both the logic and the ABI.
type guest interface {
	configure(mode wasm.Mode, ring, name string) wasm.Code
	open(value string) (opened, wasm.Code)
	seal(payload []byte, expires int64) (string, wasm.Code)
}

type opened struct {
	payload           []byte
	issuedAt, expires int64
	rotated           bool
}

type nativeGuest struct{ r *wasm.Reactor }

func (g nativeGuest) configure(mode wasm.Mode, ring, name string) wasm.Code {
	return g.r.Configure(uint32(mode), []byte(ring), []byte(name))
}

func (g nativeGuest) open(value string) (opened, wasm.Code) {
	c := g.r.Open([]byte(value))
	if c < 0 {
		return opened{}, c
	}
	return opened{bytes.Clone(g.r.Result()), g.r.IssuedAt(), g.r.Expires(), g.r.Rotated()}, c
}

func (g nativeGuest) seal(payload []byte, expires int64) (string, wasm.Code) {
	c := g.r.Seal(payload, expires)
	if c < 0 {
		return "", c
	}
	return string(g.r.Result()), c
}

// testRings holds one ring per mode, in text form, plus rings the
// reactor does not know, for unknown-key cases.
type testRings struct {
	sym, otherSym       string
	ed448Priv, ed448Pub string
	otherEd448Priv      string
	rotatedSym          string // [fresh, sym]: sym's values open as rotated
}

func newTestRings(t testing.TB) testRings {
	t.Helper()
	sym := must(keys.GenerateRing(nil))
	other := must(keys.GenerateRing(nil))
	fresh := must(keys.Generate(nil))
	rot := must(sym.Rotate(fresh, -1))
	pk := must(keys.GeneratePrivateKey(ed448.Scheme(), nil))
	pr := must(keys.NewPrivateRing(pk))
	opk := must(keys.GeneratePrivateKey(ed448.Scheme(), nil))
	opr := must(keys.NewPrivateRing(opk))
	return testRings{
		sym: sym.Export(), otherSym: other.Export(), rotatedSym: rot.Export(),
		ed448Priv: pr.Export(), ed448Pub: pr.Public().Export(), otherEd448Priv: opr.Export(),
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// modeCase is one mode as the reactor sees it (guestRing) and as native
// Go code sees it (native, always able to seal).
type modeCase struct {
	mode      wasm.Mode
	guestRing string
	native    func(t testing.TB, opts ...crumb.Option) crumb.Sealer
	other     func(t testing.TB) crumb.Sealer // a sealer under a ring the guest lacks
	canSeal   bool
}

func modeCases(r testRings) []modeCase {
	sealer := func(mode wasm.Mode, ring string) func(testing.TB, ...crumb.Option) crumb.Sealer {
		return func(t testing.TB, opts ...crumb.Option) crumb.Sealer {
			t.Helper()
			s, err := pubsealer.New(mode, ring, opts...)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	}
	other := func(mode wasm.Mode, ring string) func(testing.TB) crumb.Sealer {
		f := sealer(mode, ring)
		return func(t testing.TB) crumb.Sealer { return f(t) }
	}
	return []modeCase{
		{wasm.ModeEncrypted, r.sym, sealer(wasm.ModeEncrypted, r.sym), other(wasm.ModeEncrypted, r.otherSym), true},
		{wasm.ModeHMAC, r.sym, sealer(wasm.ModeHMAC, r.sym), other(wasm.ModeHMAC, r.otherSym), true},
		{wasm.ModeEd448Sign, r.ed448Priv, sealer(wasm.ModeEd448Sign, r.ed448Priv), other(wasm.ModeEd448Sign, r.otherEd448Priv), true},
		{wasm.ModeEd448Verify, r.ed448Pub, sealer(wasm.ModeEd448Sign, r.ed448Priv), other(wasm.ModeEd448Sign, r.otherEd448Priv), false},
	}
}

const cookieName = "__Host-session"

// testGuest runs the whole ABI table against g.
func testGuest(t *testing.T, g guest) {
	r := newTestRings(t)
	payload := []byte(`{"sub":"alice","roles":["admin"]}`)
	exp := time.Now().Add(time.Hour).Truncate(time.Second)

	if _, c := g.open("anything"); c != wasm.CodeNotConfigured {
		t.Fatalf("open before configure: code %d, want %d", c, wasm.CodeNotConfigured)
	}
	for _, bad := range []struct {
		name string
		mode wasm.Mode
		ring string
	}{
		{"unknown mode", 99, r.sym},
		{"zero mode", 0, r.sym},
		{"garbage ring", wasm.ModeHMAC, "not base64 !!"},
		{"public ring for sign", wasm.ModeEd448Sign, r.ed448Pub},
		{"private ring for verify", wasm.ModeEd448Verify, r.ed448Priv},
		{"symmetric ring for ed448", wasm.ModeEd448Verify, r.sym},
		{"empty ring", wasm.ModeEncrypted, ""},
	} {
		if c := g.configure(bad.mode, bad.ring, cookieName); c != wasm.CodeConfig {
			t.Errorf("configure %s: code %d, want %d", bad.name, c, wasm.CodeConfig)
		}
		if _, c := g.seal(payload, exp.Unix()); c != wasm.CodeNotConfigured {
			t.Errorf("after failed configure (%s), seal: code %d, want %d (a failed configure must not leave an old ring in use)", bad.name, c, wasm.CodeNotConfigured)
		}
	}

	for _, mc := range modeCases(r) {
		t.Run(mc.mode.String(), func(t *testing.T) {
			if c := g.configure(mc.mode, mc.guestRing, cookieName); c != 0 {
				t.Fatalf("configure: code %d", c)
			}
			native := mc.native(t)

			// native seals, the guest opens
			v, err := native.Seal(cookieName, payload, exp)
			if err != nil {
				t.Fatal(err)
			}
			o, c := g.open(v)
			if c != wasm.Code(len(payload)) || !bytes.Equal(o.payload, payload) {
				t.Fatalf("guest open of a native value: code %d payload %q", c, o.payload)
			}
			if o.expires != exp.Unix() || o.issuedAt == 0 || o.issuedAt > o.expires || o.rotated {
				t.Fatalf("guest open: times %d..%d rotated %v, want expiry %d", o.issuedAt, o.expires, o.rotated, exp.Unix())
			}

			// the guest seals, native opens
			gv, c := g.seal(payload, exp.Unix())
			if !mc.canSeal {
				if c != wasm.CodeVerifyOnly || gv != "" {
					t.Fatalf("seal on a verify-only ring: code %d, want %d", c, wasm.CodeVerifyOnly)
				}
			} else {
				if c != wasm.Code(len(gv)) || c <= 0 {
					t.Fatalf("guest seal: code %d for a %d-byte value", c, len(gv))
				}
				no, err := native.Open(cookieName, gv)
				if err != nil {
					t.Fatalf("native open of a guest value: %v", err)
				}
				if !bytes.Equal(no.Payload, payload) || !no.Expires.Equal(exp) {
					t.Fatalf("native open of a guest value: %q until %v", no.Payload, no.Expires)
				}
				// an empty payload is a valid session too
				ev, c := g.seal(nil, exp.Unix())
				if c <= 0 {
					t.Fatalf("seal of an empty payload: code %d", c)
				}
				if eo, c := g.open(ev); c != 0 || len(eo.payload) != 0 {
					t.Fatalf("open of an empty payload: code %d, %q", c, eo.payload)
				}
				if _, c := g.seal(payload, time.Now().Add(-time.Hour).Unix()); c != wasm.CodeExpired {
					t.Fatalf("seal with a past expiry: code %d, want %d", c, wasm.CodeExpired)
				}
			}

			past := mc.native(t, crumb.WithClock(func() time.Time { return time.Now().Add(-3 * time.Hour) }))
			expired, err := past.Seal(cookieName, payload, time.Now().Add(-2*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			otherName, err := native.Seal("other", payload, exp)
			if err != nil {
				t.Fatal(err)
			}
			unknown, err := mc.other(t).Seal(cookieName, payload, exp)
			if err != nil {
				t.Fatal(err)
			}
			wrongName := wasm.CodeWrongName
			if mc.mode != wasm.ModeEncrypted {
				// The signed sealers only see a failed signature when
				// the name differs; crumb reports that as invalid
				// unless the name tag tells the swap apart.
				wrongName = 0
			}
			for _, tc := range []struct {
				name  string
				value string
				want  wasm.Code
			}{
				{"tampered payload", flip(v, len(v)-3), wasm.CodeInvalid},
				{"tampered expiry", flipRaw(t, v, 16), wasm.CodeInvalid},
				{"format byte", flipRaw(t, v, 0), wasm.CodeMalformed},
				{"not base64", "!!!not*base64!!!" + strings.Repeat("A", 40), wasm.CodeMalformed},
				{"empty", "", wasm.CodeMalformed},
				{"truncated", v[:20], wasm.CodeMalformed},
				{"expired", expired, wasm.CodeExpired},
				{"other cookie name", otherName, wrongName},
				{"unknown key", unknown, wasm.CodeUnknownKey},
				{"too large", strings.Repeat("A", 20000), wasm.CodeTooLarge},
			} {
				_, c := g.open(tc.value)
				if tc.want == 0 {
					if c != wasm.CodeWrongName && c != wasm.CodeInvalid {
						t.Errorf("%s: code %d, want %d or %d", tc.name, c, wasm.CodeWrongName, wasm.CodeInvalid)
					}
					continue
				}
				if c != tc.want {
					t.Errorf("%s: code %d (%v), want %d (%v)", tc.name, c, c.Err(), tc.want, tc.want.Err())
				}
			}
		})
	}

	t.Run("rotated", func(t *testing.T) {
		if c := g.configure(wasm.ModeEncrypted, r.rotatedSym, cookieName); c != 0 {
			t.Fatalf("configure: %d", c)
		}
		old, _ := wasm.NewSymmetricSealer(wasm.ModeEncrypted, r.sym)
		v, err := old.Seal(cookieName, payload, exp)
		if err != nil {
			t.Fatal(err)
		}
		o, c := g.open(v)
		if c < 0 || !o.rotated {
			t.Fatalf("value under the old key: code %d rotated %v, want rotated", c, o.rotated)
		}
		nv, c := g.seal(o.payload, o.expires)
		if c < 0 {
			t.Fatalf("re-seal: %d", c)
		}
		if o2, c := g.open(nv); c < 0 || o2.rotated {
			t.Fatalf("re-sealed value: code %d rotated %v", c, o2.rotated)
		}
	})

	t.Run("garbage never traps", func(t *testing.T) {
		if c := g.configure(wasm.ModeEd448Verify, r.ed448Pub, cookieName); c != 0 {
			t.Fatal(c)
		}
		rng := mrand.New(mrand.NewPCG(1, 2))
		for i := 0; i < 200; i++ {
			b := make([]byte, rng.IntN(400))
			for j := range b {
				b[j] = byte(rng.IntN(256))
			}
			if _, c := g.open(string(b)); c >= 0 {
				t.Fatalf("random bytes opened (code %d)", c)
			}
		}
	})
}

// flip changes one base64 character of v (keeping it base64).
func flip(v string, i int) string {
	b := []byte(v)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// flipRaw flips a bit of the decoded value at byte off and re-encodes.
func flipRaw(t testing.TB, v string, off int) string {
	t.Helper()
	raw, err := b64.DecodeString(v)
	if err != nil {
		t.Fatal(err)
	}
	raw[off] ^= 0x01
	return b64.EncodeToString(raw)
}

func TestReactorNative(t *testing.T) {
	testGuest(t, nativeGuest{wasm.NewReactor(pubsealer.New)})
}

// --- wazero ---------------------------------------------------------------

// wazeroGuest calls the exports of the real reactor module.
type wazeroGuest struct {
	t   testing.TB
	ctx context.Context
	mod api.Module
}

func (g *wazeroGuest) call(name string, args ...uint64) uint64 {
	g.t.Helper()
	f := g.mod.ExportedFunction(name)
	if f == nil {
		g.t.Fatalf("reactor does not export %s", name)
	}
	res, err := f.Call(g.ctx, args...)
	if err != nil {
		g.t.Fatalf("%s trapped: %v", name, err)
	}
	if len(res) == 0 {
		return 0
	}
	return res[0]
}

// put copies b into a fresh crumb_alloc buffer.
func (g *wazeroGuest) put(b []byte) (ptr uint32, free func()) {
	g.t.Helper()
	if len(b) == 0 {
		return 0, func() {}
	}
	p := uint32(g.call("crumb_alloc", uint64(len(b))))
	if p == 0 {
		g.t.Fatalf("crumb_alloc(%d) returned 0", len(b))
	}
	if !g.mod.Memory().Write(p, b) {
		g.t.Fatalf("writing %d bytes at %#x: out of range", len(b), p)
	}
	return p, func() {
		if c := int32(g.call("crumb_free", uint64(p))); c != 0 {
			g.t.Fatalf("crumb_free: %d", c)
		}
	}
}

func (g *wazeroGuest) result(n int32) []byte {
	g.t.Helper()
	if n <= 0 {
		return nil
	}
	p := uint32(g.call("crumb_result"))
	b, ok := g.mod.Memory().Read(p, uint32(n))
	if !ok {
		g.t.Fatalf("result %#x+%d out of range", p, n)
	}
	return bytes.Clone(b)
}

func (g *wazeroGuest) configure(mode wasm.Mode, ring, name string) wasm.Code {
	rp, rfree := g.put([]byte(ring))
	defer rfree()
	np, nfree := g.put([]byte(name))
	defer nfree()
	return wasm.Code(int32(g.call("crumb_configure", uint64(mode), uint64(rp), uint64(len(ring)), uint64(np), uint64(len(name)))))
}

func (g *wazeroGuest) open(value string) (opened, wasm.Code) {
	p, free := g.put([]byte(value))
	defer free()
	c := int32(g.call("crumb_open", uint64(p), uint64(len(value))))
	if c < 0 {
		return opened{}, wasm.Code(c)
	}
	return opened{
		payload:  g.result(c),
		issuedAt: int64(g.call("crumb_issued_at")),
		expires:  int64(g.call("crumb_expires")),
		rotated:  g.call("crumb_rotated") == 1,
	}, wasm.Code(c)
}

func (g *wazeroGuest) seal(payload []byte, expires int64) (string, wasm.Code) {
	p, free := g.put(payload)
	defer free()
	c := int32(g.call("crumb_seal", uint64(p), uint64(len(payload)), uint64(expires)))
	if c < 0 {
		return "", wasm.Code(c)
	}
	return string(g.result(c)), wasm.Code(c)
}

// reactorBuild is one way of building the WASI reactor: every wazero and
// workerd test runs against each.
type reactorBuild struct {
	name  string // the subtest name: the compiler
	build func(t testing.TB) string
}

// tinygoReactorFlags are the TinyGo flags of the reactor (docs/edge.md
// gives the same command). The reactor starts no goroutine, so it needs
// no scheduler, and without one each exported call is much cheaper.
var tinygoReactorFlags = []string{"-target=wasip1", "-buildmode=c-shared", "-no-debug", "-scheduler=none"}

var reactorBuilds = []reactorBuild{
	{"go", func(t testing.TB) string {
		return build(t, "crumb-reactor.wasm", "wasip1", "./wasm/reactor", "-buildmode=c-shared")
	}},
	{"tinygo", func(t testing.TB) string {
		return tinygoBuild(t, "crumb-reactor-tinygo.wasm", "./wasm/reactor", tinygoReactorFlags...)
	}},
}

type compiledReactor struct {
	once sync.Once
	rt   wazero.Runtime
	cm   wazero.CompiledModule
	err  error
}

var compiledReactors sync.Map // reactorBuild.name -> *compiledReactor

// reactorModule builds the reactor and compiles it with wazero once per
// build and test binary. The compilation cache lives in the system temp
// dir, keyed by the module's hash, so later runs skip the ~2 s compile.
func reactorModule(t testing.TB, rb reactorBuild) (wazero.Runtime, wazero.CompiledModule) {
	t.Helper()
	path := rb.build(t)
	v, _ := compiledReactors.LoadOrStore(rb.name, &compiledReactor{})
	c := v.(*compiledReactor)
	c.once.Do(func() {
		ctx := context.Background()
		cfg := wazero.NewRuntimeConfig()
		if cache, err := wazero.NewCompilationCacheWithDir(filepath.Join(os.TempDir(), "crumb-wazero-cache")); err == nil {
			cfg = cfg.WithCompilationCache(cache)
		}
		rt := wazero.NewRuntimeWithConfig(ctx, cfg)
		wasi_snapshot_preview1.MustInstantiate(ctx, rt)
		bin, err := os.ReadFile(path)
		if err != nil {
			c.err = err
			return
		}
		start := time.Now()
		cm, err := rt.CompileModule(ctx, bin)
		if err != nil {
			c.err = err
			return
		}
		figure(t, "wazero compile of the reactor (%s): %v (compilation cache in %s)", rb.name, time.Since(start).Round(time.Millisecond), os.TempDir())
		c.rt, c.cm = rt, cm
	})
	if c.err != nil {
		t.Fatal(c.err)
	}
	return c.rt, c.cm
}

// newWazeroGuest instantiates the reactor with cfg applied over a config
// without start functions, then calls _initialize as a WASI reactor
// host must.
func newWazeroGuest(t testing.TB, rb reactorBuild, cfg func(wazero.ModuleConfig) wazero.ModuleConfig) *wazeroGuest {
	t.Helper()
	rt, cm := reactorModule(t, rb)
	ctx := context.Background()
	var stderr bytes.Buffer
	mc := wazero.NewModuleConfig().WithName("").WithStartFunctions().WithStderr(&stderr)
	mod, err := rt.InstantiateModule(ctx, cm, cfg(mc))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		mod.Close(ctx)
		if stderr.Len() > 0 {
			t.Logf("reactor stderr:\n%s", stderr.String())
		}
	})
	g := &wazeroGuest{t: t, ctx: ctx, mod: mod}
	g.call("_initialize")
	return g
}

// realClock gives the guest the system clocks and crypto randomness;
// wazero's defaults (a 2022 wall clock, seeded randomness) would make
// every expiry wrong and every nonce predictable.
func realClock(mc wazero.ModuleConfig) wazero.ModuleConfig {
	return mc.WithSysWalltime().WithSysNanotime().WithSysNanosleep().WithRandSource(rand.Reader)
}

func TestReactorWazero(t *testing.T) {
	for _, rb := range reactorBuilds {
		t.Run(rb.name, func(t *testing.T) { testReactorWazero(t, rb) })
	}
}

func testReactorWazero(t *testing.T, rb reactorBuild) {
	g := newWazeroGuest(t, rb, realClock)
	testGuest(t, g)

	t.Run("exports", func(t *testing.T) {
		want := []string{"_initialize", "crumb_alloc", "crumb_free", "crumb_configure", "crumb_open", "crumb_seal",
			"crumb_result", "crumb_issued_at", "crumb_expires", "crumb_rotated"}
		defs := g.mod.ExportedFunctionDefinitions()
		for _, n := range want {
			if defs[n] == nil {
				t.Errorf("missing export %s", n)
			}
		}
		if g.mod.ExportedMemory("memory") == nil {
			t.Error("no exported memory")
		}
	})

	t.Run("pointers", func(t *testing.T) {
		r := newTestRings(t)
		if c := g.configure(wasm.ModeHMAC, r.sym, cookieName); c != 0 {
			t.Fatal(c)
		}
		p, free := g.put([]byte("0123456789"))
		defer free()
		for _, tc := range []struct {
			name     string
			ptr, len uint32
		}{
			{"length past the buffer", p, 11},
			{"pointer inside the buffer", p + 1, 2},
			{"pointer never allocated", 8, 4},
			{"huge length", p, math.MaxUint32},
		} {
			if c := int32(g.call("crumb_open", uint64(tc.ptr), uint64(tc.len))); wasm.Code(c) != wasm.CodeArgument {
				t.Errorf("%s: code %d, want %d", tc.name, c, wasm.CodeArgument)
			}
		}
		if c := int32(g.call("crumb_free", 12345)); wasm.Code(c) != wasm.CodeArgument {
			t.Errorf("free of a foreign pointer: %d", c)
		}
		for _, n := range []uint64{0, wasm.MaxAlloc + 1, math.MaxUint32} {
			if p := g.call("crumb_alloc", n); p != 0 {
				t.Errorf("crumb_alloc(%d) = %#x, want 0", n, p)
			}
		}
	})
}

// errorsIsCode checks Code.Err against errors.Is for every sentinel, so
// the mapping a host reads in docs/edge.md is the one Go code sees.
func TestCodeMapping(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code wasm.Code
	}{
		{nil, 0},
		{crumb.ErrMalformed, wasm.CodeMalformed},
		{crumb.ErrInvalid, wasm.CodeInvalid},
		{crumb.ErrUnknownKey, wasm.CodeUnknownKey},
		{crumb.ErrExpired, wasm.CodeExpired},
		{crumb.ErrWrongName, wasm.CodeWrongName},
		{crumb.ErrTooLarge, wasm.CodeTooLarge},
		{wasm.ErrNotConfigured, wasm.CodeNotConfigured},
		{wasm.ErrConfig, wasm.CodeConfig},
		{wasm.ErrArgument, wasm.CodeArgument},
		{errors.New("something else"), wasm.CodeInternal},
	} {
		wrapped := tc.err
		if tc.err != nil {
			wrapped = errors.Join(errors.New("context"), tc.err)
		}
		if got := wasm.CodeOf(wrapped); got != tc.code {
			t.Errorf("CodeOf(%v) = %d, want %d", tc.err, got, tc.code)
		}
		if tc.err != nil && tc.code != wasm.CodeInternal && !errors.Is(tc.code.Err(), tc.err) {
			t.Errorf("Code(%d).Err() = %v, want %v", tc.code, tc.code.Err(), tc.err)
		}
	}
	if err := wasm.Code(5).Err(); err != nil {
		t.Errorf("a positive length is not an error: %v", err)
	}
	if err := wasm.Code(-99).Err(); !errors.Is(err, wasm.ErrInternal) {
		t.Errorf("unknown code: %v", err)
	}
}

func TestHeap(t *testing.T) {
	var h wasm.Heap
	p := h.Alloc(16)
	if p == 0 || h.Live() != 1 {
		t.Fatalf("alloc: %#x live %d", p, h.Live())
	}
	if b, ok := h.Bytes(p, 16); !ok || len(b) != 16 {
		t.Fatal("bytes of a live buffer")
	}
	if _, ok := h.Bytes(p, 17); ok {
		t.Fatal("length past the buffer accepted")
	}
	if _, ok := h.Bytes(p+1, 1); ok {
		t.Fatal("interior pointer accepted")
	}
	if b, ok := h.Bytes(0, 0); !ok || len(b) != 0 {
		t.Fatal("zero length must be valid")
	}
	if !h.Free(p) || h.Free(p) || h.Live() != 0 {
		t.Fatal("free twice")
	}
	if _, ok := h.Bytes(p, 1); ok {
		t.Fatal("freed buffer still readable")
	}
}
