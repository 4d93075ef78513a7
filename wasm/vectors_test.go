package wasm_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/sys"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/internal/servicetest"
	"github.com/crumbkit/crumb/wasm"
	"github.com/crumbkit/crumb/wasm/pubsealer"
)

// vectorFile follows testdata/vectors/README.md.
type vectorFile struct {
	Sealer string `json:"sealer"`
	Good   []struct {
		ID         string `json:"id"`
		SealKeys   string `json:"seal_keys"`
		OpenKeys   string `json:"open_keys"`
		Name       string `json:"name"`
		PayloadHex string `json:"payload_hex"`
		IAT        int64  `json:"iat"`
		Exp        int64  `json:"exp"`
		RandHex    string `json:"rand_hex"`
		Skew       int64  `json:"skew"`
		OpenAt     int64  `json:"open_at"`
		Value      string `json:"value"`
		Rotated    bool   `json:"rotated"`
	} `json:"good"`
	Bad []struct {
		ID          string `json:"id"`
		OpenKeys    string `json:"open_keys"`
		Name        string `json:"name"`
		Skew        int64  `json:"skew"`
		OpenAt      int64  `json:"open_at"`
		MaxValueLen int    `json:"max_value_len"`
		Value       string `json:"value"`
		Error       string `json:"error"`
	} `json:"bad"`
}

var vectorCodes = map[string]wasm.Code{
	"malformed":   wasm.CodeMalformed,
	"invalid":     wasm.CodeInvalid,
	"unknown_key": wasm.CodeUnknownKey,
	"expired":     wasm.CodeExpired,
	"wrong_name":  wasm.CodeWrongName,
	"too_large":   wasm.CodeTooLarge,
}

// The sealers the reactor runs, with the mode that opens a vector's
// open_keys and the one that seals with its seal_keys (0: the reactor
// cannot reproduce the seal, as for a verify-only ring).
var vectorModes = map[string]struct{ open, seal wasm.Mode }{
	"hmac":    {wasm.ModeHMAC, wasm.ModeHMAC},
	"aes-gcm": {wasm.ModeEncrypted, wasm.ModeEncrypted},
	"ed448":   {wasm.ModeEd448Verify, wasm.ModeEd448Sign},
}

// pinned is a clock and a randomness source a test can set per vector.
// The reactor reads them through wazero's walltime and random_get (or,
// natively, crumb.WithClock and crumb.WithRand).
type pinned struct {
	now  atomic.Int64
	mu   sync.Mutex
	rand []byte // served first, then crypto/rand
}

func (p *pinned) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.rand) > 0 {
		n := copy(b, p.rand)
		p.rand = p.rand[n:]
		return n, nil
	}
	return rand.Read(b)
}

func (p *pinned) setRand(b []byte) {
	p.mu.Lock()
	p.rand = b
	p.mu.Unlock()
}

func (p *pinned) clock() time.Time { return time.Unix(p.now.Load(), 0) }

func loadVectors(t *testing.T) []vectorFile {
	t.Helper()
	dir := filepath.Join(servicetest.ModuleRoot(t), "testdata", "vectors")
	var files []vectorFile
	for name := range vectorModes {
		b, err := os.ReadFile(filepath.Join(dir, name+".json"))
		if err != nil {
			t.Fatalf("test vectors: %v", err)
		}
		var f vectorFile
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("%s.json: %v", name, err)
		}
		if f.Sealer != name || len(f.Good) == 0 || len(f.Bad) == 0 {
			t.Fatalf("%s.json: sealer %q, %d good, %d bad", name, f.Sealer, len(f.Good), len(f.Bad))
		}
		files = append(files, f)
	}
	return files
}

// replayVectors replays every vector the reactor ABI can express: it
// reproduces each deterministic seal byte for byte (and the AES-GCM ones
// by feeding the recorded randomness), opens every good value, and gets
// exactly the listed code for every bad one. Vectors that set a
// non-default max_value_len are skipped: the ABI keeps crumb's default
// limit.
//
// exactRand says whether the guest's crypto/rand returns the WASI
// random_get bytes as they are (stock Go). TinyGo's feeds them to
// wasi-libc's arc4random, a ChaCha20 generator seeded from random_get,
// so its AES-GCM nonces cannot be pinned: there each randomized seal is
// checked by opening it instead of byte for byte.
func replayVectors(t *testing.T, g guest, p *pinned, exactRand bool) {
	for _, f := range loadVectors(t) {
		modes := vectorModes[f.Sealer]
		t.Run(f.Sealer, func(t *testing.T) {
			for _, v := range f.Good {
				payload, err := hex.DecodeString(v.PayloadHex)
				if err != nil {
					t.Fatal(err)
				}
				rnd, err := hex.DecodeString(v.RandHex)
				if err != nil {
					t.Fatal(err)
				}
				if c := g.configure(modes.seal, v.SealKeys, v.Name); c != 0 {
					t.Fatalf("%s: configure with seal_keys: %d", v.ID, c)
				}
				p.now.Store(v.IAT)
				p.setRand(rnd)
				got, c := g.seal(payload, v.Exp)
				p.setRand(nil)
				if !exactRand && len(rnd) > 0 && c >= 0 {
					if c := g.configure(modes.open, v.OpenKeys, v.Name); c != 0 {
						t.Fatalf("%s: configure with open_keys: %d", v.ID, c)
					}
					p.now.Store(v.OpenAt)
					o, c := g.open(got)
					if c < 0 || !bytes.Equal(o.payload, payload) || o.issuedAt != v.IAT || o.expires != v.Exp {
						t.Errorf("%s: a value the guest sealed does not open to the vector's payload and times: code %d (%v)", v.ID, c, c.Err())
					}
				} else if c < 0 || got != v.Value {
					t.Errorf("%s: seal gave code %d and a value that differs from the vector", v.ID, c)
				}
				if c := g.configure(modes.open, v.OpenKeys, v.Name); c != 0 {
					t.Fatalf("%s: configure with open_keys: %d", v.ID, c)
				}
				p.now.Store(v.OpenAt)
				o, c := g.open(v.Value)
				if c < 0 || !bytes.Equal(o.payload, payload) || o.issuedAt != v.IAT || o.expires != v.Exp || o.rotated != v.Rotated {
					t.Errorf("%s: open gave code %d (%v), times %d..%d rotated %v", v.ID, c, c.Err(), o.issuedAt, o.expires, o.rotated)
				}
			}
			skipped := 0
			for _, v := range f.Bad {
				if v.MaxValueLen != 0 && v.MaxValueLen != 16384 || v.Skew != 30 {
					skipped++
					continue
				}
				want, ok := vectorCodes[v.Error]
				if !ok {
					t.Fatalf("%s: unknown error %q", v.ID, v.Error)
				}
				if c := g.configure(modes.open, v.OpenKeys, v.Name); c != 0 {
					t.Fatalf("%s: configure: %d", v.ID, c)
				}
				p.now.Store(v.OpenAt)
				if _, c := g.open(v.Value); c != want {
					t.Errorf("%s: code %d (%v), want %d (%s)", v.ID, c, c.Err(), want, v.Error)
				}
			}
			if skipped > 1 {
				t.Errorf("%d bad vectors skipped; only the max_value_len one should be", skipped)
			}
		})
	}
}

func TestVectorsNative(t *testing.T) {
	p := &pinned{}
	replayVectors(t, nativeGuest{wasm.NewReactor(pubsealer.New, crumb.WithClock(p.clock), crumb.WithRand(p))}, p, true)
}

// TestVectorsWazero runs the vectors in the real reactor with wazero's
// walltime and random source pinned per vector: the module itself is
// the production build, with no test-only export.
func TestVectorsWazero(t *testing.T) {
	for _, rb := range reactorBuilds {
		t.Run(rb.name, func(t *testing.T) { testVectorsWazero(t, rb) })
	}
}

func testVectorsWazero(t *testing.T, rb reactorBuild) {
	p := &pinned{}
	g := newWazeroGuest(t, rb, func(mc wazero.ModuleConfig) wazero.ModuleConfig {
		return mc.WithWalltime(func() (int64, int32) { return p.now.Load(), 0 }, sys.ClockResolution(1)).
			WithSysNanotime().WithRandSource(p)
	})
	replayVectors(t, g, p, rb.name != "tinygo")
}
