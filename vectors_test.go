package crumb_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crumbkit/crumb/internal/vectors"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors from the generator")

const vectorDir = "testdata/vectors"

// goodSpec is a good vector before sealing.
type goodSpec struct {
	id, desc   string
	sealIdx    []int
	openIdx    []int
	name       string
	payload    []byte
	openAt     int64
	skew       int64
	rotated    bool
	randSeed   int
	publicOnly bool
}

func goodSpecs(sealer string) []goodSpec {
	basic := samplePayload
	small, binary := []byte{}, []byte{0, 1, 2, 3, 0x7f, 0x80, 0xfe, 0xff}
	if sealer == vectors.Unsigned {
		small, binary = []byte(`{}`), []byte(`{"n":"é✓ <&>"}`)
	}
	specs := []goodSpec{
		{id: "basic", desc: "JSON payload, one-key ring", sealIdx: []int{1}, openIdx: []int{1}, name: "sid", payload: basic, openAt: t0 + 10, skew: skew, randSeed: 1},
		{id: "small", desc: "smallest payload", sealIdx: []int{1}, openIdx: []int{1}, name: "sid", payload: small, openAt: t0 + 10, skew: skew, randSeed: 2},
		{id: "binary", desc: "payload bytes outside ASCII", sealIdx: []int{1}, openIdx: []int{1}, name: "sid", payload: binary, openAt: t0 + 10, skew: skew, randSeed: 3},
		{id: "last-valid-second", desc: "opened at exp+skew-1, the last second the skew allows", sealIdx: []int{1}, openIdx: []int{1}, name: "sid", payload: basic, openAt: t1 + skew - 1, skew: skew, randSeed: 4},
		{id: "earliest-valid-second", desc: "opened at iat-skew: the opener's clock is behind by the full skew", sealIdx: []int{1}, openIdx: []int{1}, name: "sid", payload: basic, openAt: t0 - skew, skew: skew, randSeed: 5},
		{id: "zero-skew-last-second", desc: "skew 0, opened at exp-1", sealIdx: []int{1}, openIdx: []int{1}, name: "sid", payload: basic, openAt: t1 - 1, skew: 0, randSeed: 6},
		{id: "host-prefix-name", desc: "a __Host- cookie name", sealIdx: []int{1}, openIdx: []int{1}, name: "__Host-session", payload: basic, openAt: t0, skew: skew, randSeed: 7},
		{id: "punctuated-name", desc: "every punctuation character RFC 6265 allows in a name", sealIdx: []int{1}, openIdx: []int{1}, name: "!#$%&'*+-.^_`|~09AZaz", payload: basic, openAt: t0, skew: skew, randSeed: 8},
	}
	if sealer != vectors.Unsigned {
		specs = append(specs,
			goodSpec{id: "rotated", desc: "sealed by key 1, opened by ring [2,1]: an old key matched", sealIdx: []int{1}, openIdx: []int{2, 1}, name: "sid", payload: basic, openAt: t0 + 10, skew: skew, rotated: true, randSeed: 9},
			goodSpec{id: "new-primary", desc: "sealed and opened by ring [2,1]", sealIdx: []int{2, 1}, openIdx: []int{2, 1}, name: "sid", payload: basic, openAt: t0 + 10, skew: skew, randSeed: 10},
		)
	}
	return specs
}

// badSpec mutates the basic good vector into one that must fail.
type badSpec struct {
	id, desc string
	err      string
	// mutate returns the value, given the basic value and its bytes.
	mutate  func(v string, raw []byte) string
	name    string // default "sid"
	openIdx []int  // default [1]
	openAt  int64  // default t0+10
	maxLen  func(v string) int
}

func flip(i int, mask byte) func(string, []byte) string {
	return func(_ string, raw []byte) string {
		b := bytes.Clone(raw)
		if i < 0 {
			i += len(b)
		}
		b[i] ^= mask
		return b64.EncodeToString(b)
	}
}

func badSpecs(t testing.TB, sealer string, others map[string]string, noncanonical string) []badSpec {
	auth := sealer != vectors.Unsigned
	pick := func(authErr, unsignedErr string) string {
		if auth {
			return authErr
		}
		return unsignedErr
	}
	same := func(v string, _ []byte) string { return v }
	specs := []badSpec{
		{id: "flip-format", desc: "format byte bit 7 flipped", err: "malformed", mutate: flip(0, 0x80)},
		{id: "flip-key-id", desc: "key ID bit flipped", err: pick("unknown_key", "malformed"), mutate: flip(4, 0x01)},
		{id: "flip-name-tag", desc: "name tag bit flipped", err: "wrong_name", mutate: flip(8, 0x01)},
		{id: "flip-first-payload-byte", desc: "first payload byte bit 0 flipped (unsigned: no longer JSON)", err: "invalid", mutate: flip(17+map[string]int{vectors.AESGCM: 24}[sealer], 0x01)},
		{id: "truncated-by-one", desc: "last decoded byte removed", err: "invalid", mutate: func(_ string, raw []byte) string { return b64.EncodeToString(raw[:len(raw)-1]) }},
		{id: "extended-by-one", desc: "a zero byte appended", err: "invalid", mutate: func(_ string, raw []byte) string { return b64.EncodeToString(append(bytes.Clone(raw), 0)) }},
		{id: "truncated-header", desc: "only 16 bytes, shorter than the header", err: "malformed", mutate: func(_ string, raw []byte) string { return b64.EncodeToString(raw[:16]) }},
		{id: "empty", desc: "empty value", err: "malformed", mutate: func(string, []byte) string { return "" }},
		{id: "not-base64", desc: "a character outside base64url", err: "malformed", mutate: func(v string, _ []byte) string { return v[:10] + "!" + v[11:] }},
		{id: "padded", desc: "base64 padding appended", err: "malformed", mutate: func(v string, _ []byte) string { return v + "=" }},
		{id: "newline", desc: "a LF inside the text (Go's decoder would skip it)", err: "malformed", mutate: func(v string, _ []byte) string { return v[:20] + "\n" + v[20:] }},
		{id: "non-canonical", desc: "the last character's unused bits set: same bytes, second spelling", err: "malformed", mutate: func(string, []byte) string { return noncanonical }},
		{id: "expired-at-skew-edge", desc: "opened at exp+skew exactly", err: "expired", mutate: same, openAt: t1 + skew},
		{id: "issued-in-future", desc: "opened at iat-skew-1: issued beyond the skew in the future", err: "expired", mutate: same, openAt: t0 - skew - 1},
		{id: "wrong-name", desc: "opened under another cookie name", err: "wrong_name", mutate: same, name: "sid2"},
		{id: "oversized", desc: "one byte over max_value_len (the smallest limit is 64)", err: "too_large", mutate: func(v string, _ []byte) string {
			if len(v) < 65 {
				v += strings.Repeat("A", 65-len(v))
			}
			return v
		}, maxLen: func(v string) int { return len(v) - 1 }},
		{id: "other-sealer", desc: "a value from another sealer", err: "malformed", mutate: func(string, []byte) string { return others["next"] }},
	}
	if auth {
		specs = append(specs,
			badSpec{id: "flip-issued-at", desc: "issued-at bit 0 flipped", err: "invalid", mutate: flip(12, 0x01)},
			badSpec{id: "flip-expires", desc: "expiry bit 0 flipped", err: "invalid", mutate: flip(16, 0x01)},
			badSpec{id: "flip-last-byte", desc: "last byte of the tag or signature flipped", err: "invalid", mutate: flip(-1, 0x80)},
			badSpec{id: "name-tag-forged", desc: "name tag rewritten for the new name: the name is authenticated", err: "invalid", name: "other", mutate: func(_ string, raw []byte) string {
				b := bytes.Clone(raw)
				tag := fnv32a("other")
				b[5], b[6], b[7], b[8] = byte(tag>>24), byte(tag>>16), byte(tag>>8), byte(tag)
				return b64.EncodeToString(b)
			}},
			badSpec{id: "unknown-key", desc: "the ring lacks the key that sealed it", err: "unknown_key", mutate: same, openIdx: []int{3}},
		)
	} else {
		specs = append(specs,
			badSpec{id: "flip-issued-at", desc: "issued-at bit 31 flipped: issued in 2094", err: "expired", mutate: flip(9, 0x80)},
			badSpec{id: "flip-expires", desc: "expiry bit 30 flipped: expired in 1991", err: "expired", mutate: flip(13, 0x40)},
		)
	}
	switch sealer {
	case vectors.AESGCM:
		specs = append(specs,
			badSpec{id: "flip-salt", desc: "salt bit flipped: another per-value key", err: "invalid", mutate: flip(17, 0x01)},
			badSpec{id: "flip-nonce", desc: "GCM nonce bit flipped", err: "invalid", mutate: flip(29, 0x01)},
			badSpec{id: "relabelled-hmac", desc: "an HMAC value under the same ring key, format byte set to 0x05", err: "invalid", mutate: func(string, []byte) string { return others["relabelled"] }},
		)
	case vectors.HMAC:
		specs = append(specs,
			badSpec{id: "relabelled-aes-gcm", desc: "an AES-GCM value under the same ring key, format byte set to 0x02", err: "invalid", mutate: func(string, []byte) string { return others["relabelled"] }},
		)
	}
	return specs
}

// generate builds the vector file of one sealer, checking every vector
// against the code as it goes.
func generate(t *testing.T, sealer string) vectors.File {
	f := vectors.File{Sealer: sealer, Comment: "Generated by `go test -run TestVectors -update` at the module root; schema in README.md."}
	var basic, noncanonical string
	for _, g := range goodSpecs(sealer) {
		rnd := randFor(sealer, g.randSeed)
		v := sealWith(t, sealer, g.sealIdx, g.name, g.payload, t0, t1, rnd)
		raw := decodeValue(t, v)
		if noncanonical == "" && len(raw)%3 != 0 {
			// Set the unused low bits of the last character.
			last := strings.IndexByte(b64Alphabet, v[len(v)-1])
			noncanonical = v[:len(v)-1] + string(b64Alphabet[last|1])
		}
		if g.id == "basic" {
			basic = v
		}
		f.Good = append(f.Good, vectors.Good{
			ID: g.id, Desc: g.desc,
			SealKeys: ringText(t, sealer, true, g.sealIdx...), OpenKeys: ringText(t, sealer, false, g.openIdx...),
			Name: g.name, PayloadHex: hexOf(g.payload), IssuedAt: t0, Expires: t1, RandHex: hexOf(rnd),
			Skew: g.skew, OpenAt: g.openAt, Value: v, Rotated: g.rotated,
		})
	}
	next := vectors.Sealers[0]
	for i, s := range vectors.Sealers {
		if s == sealer {
			next = vectors.Sealers[(i+1)%len(vectors.Sealers)]
		}
	}
	others := map[string]string{"next": sealWith(t, next, []int{1}, "sid", samplePayload, t0, t1, randFor(next, 1))}
	switch sealer {
	case vectors.AESGCM, vectors.HMAC:
		from, format := vectors.HMAC, byte(0x05)
		if sealer == vectors.HMAC {
			from, format = vectors.AESGCM, 0x02
		}
		raw := decodeValue(t, sealWith(t, from, []int{1}, "sid", samplePayload, t0, t1, randFor(from, 1)))
		raw[0] = format
		others["relabelled"] = b64.EncodeToString(raw)
	}
	raw := decodeValue(t, basic)
	for _, b := range badSpecs(t, sealer, others, noncanonical) {
		bv := vectors.Bad{ID: b.id, Desc: b.desc, Name: "sid", OpenAt: t0 + 10, Skew: skew, Error: b.err}
		if b.name != "" {
			bv.Name = b.name
		}
		idx := []int{1}
		if b.openIdx != nil {
			idx = b.openIdx
		}
		bv.OpenKeys = ringText(t, sealer, false, idx...)
		if b.openAt != 0 {
			bv.OpenAt = b.openAt
		}
		bv.Value = b.mutate(basic, raw)
		if b.maxLen != nil {
			bv.MaxValueLen = b.maxLen(bv.Value)
		}
		// The generator checks what it writes; the replay below checks
		// again from the files alone.
		o, err := vectors.NewOpener(sealer, bv.OpenKeys, bv.OpenAt, bv.Skew, bv.MaxValueLen)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := o.Open(bv.Name, bv.Value); vectors.ErrorName(err) != b.err {
			t.Errorf("%s/%s: Open err = %v, want %s", sealer, b.id, err, b.err)
		}
		f.Bad = append(f.Bad, bv)
	}
	return f
}

const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func encodeFile(t *testing.T, f vectors.File) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestVectorsGenerated regenerates every vector file and requires the
// files on disk to match, so the vectors can never drift from the code
// (or, with -update, rewrites them).
func TestVectorsGenerated(t *testing.T) {
	for _, sealer := range vectors.Sealers {
		got := encodeFile(t, generate(t, sealer))
		path := filepath.Join(vectorDir, sealer+".json")
		if *update {
			if err := os.MkdirAll(vectorDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run TestVectors -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what the generator makes now: the wire format changed, or run -update after a deliberate change", path)
		}
	}
}

// TestVectorsReplay replays the files as an independent reader would:
// it knows only the JSON and the public API.
func TestVectorsReplay(t *testing.T) {
	files, err := vectors.Load(vectorDir)
	if err != nil {
		t.Fatal(err)
	}
	good, bad := map[string]int{}, map[string]int{}
	for _, f := range files {
		good[f.Sealer] += len(f.Good)
		bad[f.Sealer] += len(f.Bad)
		for _, g := range f.Good {
			t.Run(f.Sealer+"/good/"+g.ID, func(t *testing.T) { replayGood(t, f.Sealer, g) })
		}
		for _, b := range f.Bad {
			t.Run(f.Sealer+"/bad/"+b.ID, func(t *testing.T) { replayBad(t, f.Sealer, b) })
		}
		for _, k := range f.BadPublicKeys {
			t.Run(f.Sealer+"/bad-public-key/"+k.ID, func(t *testing.T) {
				if err := refusedAsPoint(f.Sealer, k.OpenKeys); err != nil {
					t.Fatal(err)
				}
			})
		}
		if len(f.Good) == 0 && len(f.Bad) == 0 && len(f.BadPublicKeys) == 0 {
			t.Errorf("%s: a file with no vectors", f.Sealer)
		}
	}
	for _, s := range vectors.Sealers {
		if good[s] == 0 || bad[s] == 0 {
			t.Errorf("%s: %d good and %d bad vectors, want some of each", s, good[s], bad[s])
		}
	}
}

func replayGood(t *testing.T, sealer string, g vectors.Good) {
	payload, err := vectors.Hex(g.PayloadHex)
	if err != nil {
		t.Fatal(err)
	}
	rnd, err := vectors.Hex(g.RandHex)
	if err != nil {
		t.Fatal(err)
	}
	s, err := vectors.NewSealer(sealer, g.SealKeys, g.IssuedAt, rnd)
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.Seal(g.Name, payload, unix(g.Expires))
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	if v != g.Value {
		t.Errorf("Seal = %s\nwant   %s", v, g.Value)
	}
	o, err := vectors.NewOpener(sealer, g.OpenKeys, g.OpenAt, g.Skew, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := o.Open(g.Name, g.Value)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if !bytes.Equal(got.Payload, payload) || got.IssuedAt.Unix() != g.IssuedAt || got.Expires.Unix() != g.Expires || got.Rotated != g.Rotated {
		t.Errorf("Open = %q %d %d rotated=%v", got.Payload, got.IssuedAt.Unix(), got.Expires.Unix(), got.Rotated)
	}
}

func replayBad(t *testing.T, sealer string, b vectors.Bad) {
	o, err := vectors.NewOpener(sealer, b.OpenKeys, b.OpenAt, b.Skew, b.MaxValueLen)
	if err != nil {
		t.Fatal(err)
	}
	want, ok := vectors.Errors[b.Error]
	if !ok {
		t.Fatalf("unknown error name %q", b.Error)
	}
	_, err = o.Open(b.Name, b.Value)
	if got := vectors.ErrorName(err); got != b.Error {
		t.Fatalf("Open err = %v (%s), want %v", err, got, want)
	}
	assertNoLeak(t, err, b.Value)
}
