package keys_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/hkdf"

	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/keys/ed448"
)

// material returns 32 deterministic, random-looking bytes.
func material(i int) []byte {
	s := sha512.Sum512([]byte("keys test " + strconv.Itoa(i)))
	return s[:keys.KeySize]
}

func mustKey(t testing.TB, i int) keys.Key {
	t.Helper()
	k, err := keys.NewKey(material(i))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// spellings returns every text form of b that must never appear in
// output: base64 in both alphabets, padded or not, and hex.
func spellings(b []byte) []string {
	return []string{
		base64.RawURLEncoding.EncodeToString(b), base64.URLEncoding.EncodeToString(b),
		base64.RawStdEncoding.EncodeToString(b), base64.StdEncoding.EncodeToString(b),
		hex.EncodeToString(b), strings.ToUpper(hex.EncodeToString(b)),
		// %d of a byte slice prints its decimal bytes
		strings.Trim(fmt.Sprint(b), "[]"),
	}
}

// assertNoMaterial fails if s holds any spelling of b, or any 12-byte
// stretch of one.
func assertNoMaterial(t testing.TB, what, s string, b []byte) {
	t.Helper()
	for _, sp := range spellings(b) {
		for i := 0; i+12 <= len(sp); i += 4 {
			if strings.Contains(s, sp[i:i+12]) {
				t.Fatalf("%s prints key material: %q", what, s)
			}
		}
	}
}

func TestParseRingForms(t *testing.T) {
	k1, k2 := material(1), material(2)
	// A key whose url-safe text is letters and digits only, so its
	// padded form looks like NAME= (the bug this guards against dropped
	// such a first key silently).
	var alnum []byte
	for i := 3; ; i++ {
		m := material(i)
		if s := base64.RawURLEncoding.EncodeToString(m); !strings.ContainsAny(s, "-_") && (s[0] < '0' || s[0] > '9') {
			alnum = m
			break
		}
	}
	url, urlPad := base64.RawURLEncoding.EncodeToString(k1), base64.URLEncoding.EncodeToString(k1)
	std, stdPad := base64.RawStdEncoding.EncodeToString(k2), base64.StdEncoding.EncodeToString(k2)
	alnumPad := base64.URLEncoding.EncodeToString(alnum)
	cases := []struct {
		name, text string
		want       [][]byte
	}{
		{"url unpadded", url, [][]byte{k1}},
		{"url padded", urlPad, [][]byte{k1}},
		{"std unpadded", std, [][]byte{k2}},
		{"std padded", stdPad, [][]byte{k2}},
		{"two keys", url + "," + std, [][]byte{k1, k2}},
		{"NAME= prefix", "SESSION_KEYS=" + url + "," + stdPad, [][]byte{k1, k2}},
		{"lower-case name", "session_keys=" + urlPad, [][]byte{k1}},
		{"spaces and newlines", "  " + url + " ,\n\t" + std + "\r\n", [][]byte{k1, k2}},
		{"trailing comma", url + ",", [][]byte{k1}},
		{"padded alnum first key", alnumPad + "," + urlPad, [][]byte{alnum, k1}},
		{"padded alnum key alone", alnumPad, [][]byte{alnum}},
		{"NAME= then padded alnum key", "K=" + alnumPad + "," + std, [][]byte{alnum, k2}},
		{"double-quoted after NAME=", `SESSION_KEYS="` + url + "," + std + `"`, [][]byte{k1, k2}},
		{"single-quoted", "'" + urlPad + "'", [][]byte{k1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := keys.ParseRing(c.text)
			if err != nil {
				t.Fatalf("ParseRing: %v", err)
			}
			if r.Len() != len(c.want) {
				t.Fatalf("Len = %d, want %d", r.Len(), len(c.want))
			}
			for i, k := range r.Keys() {
				want, _ := keys.NewKey(c.want[i])
				if !k.Equal(want) {
					t.Errorf("key %d differs", i+1)
				}
			}
			if !r.Primary().Equal(r.Keys()[0]) {
				t.Error("Primary is not the first key")
			}
			// Export is unpadded base64url and parses back.
			back, err := keys.ParseRing(r.Export())
			if err != nil || back.String() != r.String() {
				t.Errorf("Export round trip: %v, %v", back, err)
			}
			if strings.ContainsAny(r.Export(), "=+/") {
				t.Errorf("Export %q is not unpadded base64url", r.Export())
			}
		})
	}
}

func TestParseRingErrors(t *testing.T) {
	k1 := base64.RawURLEncoding.EncodeToString(material(1))
	short := base64.RawURLEncoding.EncodeToString(material(2)[:16])
	long := base64.RawURLEncoding.EncodeToString(append(material(3), 1, 2, 3))
	weak := base64.RawURLEncoding.EncodeToString(make([]byte, 32))
	notB64 := k1[:20] + "*" + k1[21:]
	mixed := k1[:20] + "+" + k1[21:] // '+' selects the std alphabet, which has no '-' or '_'
	if !strings.ContainsAny(k1, "-_") {
		t.Fatal("fixture key should use the url-safe alphabet")
	}
	cases := []struct {
		name, text string
		err        error
		pos        string
	}{
		{"empty", "", keys.ErrEmptyRing, ""},
		{"blank", " \n\t", keys.ErrEmptyRing, ""},
		{"commas only", ",,", keys.ErrEmptyRing, ""},
		{"unset variable", "SESSION_KEYS=", keys.ErrEmptyRing, ""},
		{"empty quotes", `SESSION_KEYS=""`, keys.ErrEmptyRing, ""},
		{"short key", short, keys.ErrKeySize, "key 1"},
		{"long key", long, keys.ErrKeySize, "key 1"},
		{"short second key", k1 + "," + short, keys.ErrKeySize, "key 2"},
		{"duplicate", k1 + "," + k1, keys.ErrDuplicateKey, "key 2"},
		{"duplicate in another spelling", k1 + "," + base64.URLEncoding.EncodeToString(material(1)), keys.ErrDuplicateKey, "key 2"},
		{"not base64", notB64, keys.ErrNotBase64, "key 1"},
		{"mixed alphabets", mixed, keys.ErrNotBase64, "key 1"},
		{"padding inside", k1[:10] + "=" + k1[10:], keys.ErrNotBase64, "key 1"},
		{"all zero", weak, keys.ErrWeakKey, "key 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := keys.ParseRing(c.text)
			if !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			if !strings.Contains(err.Error(), c.pos) {
				t.Errorf("err %q does not name the position %q", err, c.pos)
			}
			for _, f := range strings.FieldsFunc(c.text, func(r rune) bool { return r == ',' }) {
				if len(f) >= 8 && strings.Contains(err.Error(), f[:8]) {
					t.Fatalf("err %q quotes the key text", err)
				}
			}
			for i := 1; i <= 3; i++ {
				assertNoMaterial(t, "error", err.Error(), material(i))
			}
		})
	}
}

func TestNewKey(t *testing.T) {
	cases := []struct {
		name string
		b    []byte
		err  error
	}{
		{"random", material(1), nil},
		{"31 bytes", material(1)[:31], keys.ErrKeySize},
		{"33 bytes", append(material(1), 0), keys.ErrKeySize},
		{"nil", nil, keys.ErrKeySize},
		{"all zero", make([]byte, 32), keys.ErrWeakKey},
		{"seven values", bytes.Repeat([]byte{1, 2, 3, 4, 5, 6, 7, 7}, 4), keys.ErrWeakKey},
		{"eight values", bytes.Repeat([]byte{1, 2, 3, 4, 5, 6, 7, 8}, 4), nil},
	}
	for _, c := range cases {
		k, err := keys.NewKey(c.b)
		if !errors.Is(err, c.err) || (err == nil) != k.Valid() {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.err)
		}
	}
	// NewKey copies: changing the input afterwards changes nothing.
	b := material(1)
	k, _ := keys.NewKey(b)
	b[0] ^= 1
	if k2, _ := keys.NewKey(material(1)); !k.Equal(k2) {
		t.Error("NewKey kept a reference to its input")
	}
	if (keys.Key{}).Valid() || (keys.Key{}).ID() != 0 || (keys.Key{}).Export() != "" {
		t.Error("zero Key claims material")
	}
}

func TestGenerate(t *testing.T) {
	a, err := keys.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := keys.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Equal(b) || a.ID() == b.ID() {
		t.Error("two generated keys are equal")
	}
	if _, err := keys.Generate(strings.NewReader("too short")); err == nil {
		t.Error("Generate from a short reader succeeded")
	}
	r, err := keys.GenerateRing(bytes.NewReader(material(5)))
	if err != nil || r.Len() != 1 {
		t.Fatalf("GenerateRing: %v %v", r, err)
	}
	if want, _ := keys.NewKey(material(5)); !r.Primary().Equal(want) {
		t.Error("GenerateRing did not read the key from r")
	}
}

// TestKeyIDs recomputes both ID derivations from their definitions in
// docs/FORMAT.md.
func TestKeyIDs(t *testing.T) {
	k := mustKey(t, 1)
	mac := hmac.New(sha256.New, material(1))
	mac.Write([]byte("crumb/v1/key-id"))
	if want := keys.ID(binary.BigEndian.Uint32(mac.Sum(nil))); k.ID() != want {
		t.Errorf("symmetric ID = %s, want %s", k.ID(), want)
	}
	if s := k.ID().String(); len(s) != 8 || strings.Trim(s, "0123456789abcdef") != "" {
		t.Errorf("ID.String = %q, want 8 hex digits", s)
	}
	if keys.ID(0x0a).String() != "0000000a" {
		t.Errorf("ID(10).String = %q", keys.ID(0x0a).String())
	}
	pk, err := keys.NewPrivateKey(ed448.Scheme(), bytes.Repeat(material(1), 2)[:57])
	if err != nil {
		t.Fatal(err)
	}
	pub := exportedBytes(t, pk.Public().Export())
	h := sha256.Sum256(append([]byte("crumb/v1/key-id\x00ed448\x00"), pub...))
	if want := keys.ID(binary.BigEndian.Uint32(h[:])); pk.ID() != want || pk.Public().ID() != want {
		t.Errorf("public ID = %s, want %s", pk.ID(), want)
	}
}

func exportedBytes(t testing.TB, text string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(text[strings.IndexByte(text, ':')+1:])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDerive(t *testing.T) {
	k, k2 := mustKey(t, 1), mustKey(t, 2)
	purposes := []string{keys.PurposeHMAC, keys.PurposeAESGCM, keys.PurposeKVID, "app/custom"}
	seen := map[string]string{hex.EncodeToString(material(1)): "the key itself"}
	for _, p := range purposes {
		d := k.Derive(p)
		if len(d) != 32 {
			t.Fatalf("%s: %d bytes", p, len(d))
		}
		if !bytes.Equal(d, k.Derive(p)) {
			t.Errorf("%s: not deterministic", p)
		}
		// HKDF-SHA256, no salt, the purpose as info (FORMAT.md).
		want := make([]byte, 32)
		io.ReadFull(hkdf.New(sha256.New, material(1), nil, []byte(p)), want)
		if !bytes.Equal(d, want) {
			t.Errorf("%s: not HKDF-SHA256(key, salt=nil, info=purpose)", p)
		}
		if prev, dup := seen[hex.EncodeToString(d)]; dup {
			t.Errorf("%s: same subkey as %s", p, prev)
		}
		seen[hex.EncodeToString(d)] = p
		if bytes.Equal(d, k2.Derive(p)) {
			t.Errorf("%s: two keys derive the same subkey", p)
		}
	}
	// Labels must be distinct, and none a prefix of another's use.
	if keys.PurposeHMAC == keys.PurposeAESGCM || keys.PurposeAESGCM == keys.PurposeKVID {
		t.Error("purpose labels collide")
	}
}

func TestFromPassphrase(t *testing.T) {
	pass, ctx := []byte("correct horse battery staple"), "example.com sessions 2026"
	// One real derivation (Argon2id, 64 MiB, 3 passes): compare with a
	// direct call using the documented parameters, and with the value
	// those parameters gave when they were chosen.
	k, err := keys.FromPassphrase(pass, ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := argon2.IDKey(pass, []byte("crumb/v1/passphrase\x00"+ctx), 3, 64*1024, 2, 32)
	if wk, _ := keys.NewKey(want); !k.Equal(wk) {
		t.Error("FromPassphrase is not Argon2id(t=3, m=64MiB, p=2, salt=\"crumb/v1/passphrase\\0\"+context)")
	}
	if got := k.Export(); got != "DqQwsUNOoAhSX3SPJiMWGuU4kjEVxd_iDQXCpU1ch7M" {
		t.Errorf("FromPassphrase = %s: the derivation changed, and every deployed passphrase key with it", got)
	}
	if keys.Argon2Time != 3 || keys.Argon2MemoryKiB != 64*1024 || keys.Argon2Threads != 2 {
		t.Error("Argon2 parameters differ from the documented ones")
	}
	for _, c := range []struct {
		pass []byte
		ctx  string
	}{
		{[]byte("eleven char"), ctx},
		{nil, ctx},
		{pass, ""},
	} {
		_, err := keys.FromPassphrase(c.pass, c.ctx)
		if !errors.Is(err, keys.ErrPassphrase) {
			t.Errorf("FromPassphrase(%q, %q) err = %v, want ErrPassphrase", c.pass, c.ctx, err)
		}
		assertNoMaterial(t, "error", err.Error(), c.pass)
		if len(c.pass) > 0 && strings.Contains(err.Error(), string(c.pass)) {
			t.Errorf("error quotes the passphrase")
		}
	}
}

func TestRingRotate(t *testing.T) {
	a, b, c, d := mustKey(t, 1), mustKey(t, 2), mustKey(t, 3), mustKey(t, 4)
	r, err := keys.NewRing(a, b, c)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		keep int
		want []keys.Key
	}{
		{-1, []keys.Key{d, a, b, c}},
		{0, []keys.Key{d}},
		{1, []keys.Key{d, a}},
		{2, []keys.Key{d, a, b}},
		{3, []keys.Key{d, a, b, c}},
		{10, []keys.Key{d, a, b, c}},
	}
	for _, tc := range cases {
		nr, err := r.Rotate(d, tc.keep)
		if err != nil {
			t.Fatalf("keep %d: %v", tc.keep, err)
		}
		got := nr.Keys()
		if len(got) != len(tc.want) {
			t.Fatalf("keep %d: %d keys, want %d", tc.keep, len(got), len(tc.want))
		}
		for i := range got {
			if !got[i].Equal(tc.want[i]) {
				t.Errorf("keep %d: key %d differs", tc.keep, i)
			}
		}
		if _, primary, ok := nr.Lookup(d.ID()); !ok || !primary {
			t.Errorf("keep %d: new key not primary", tc.keep)
		}
		if _, primary, ok := nr.Lookup(a.ID()); tc.keep != 0 && (!ok || primary) {
			t.Errorf("keep %d: old primary not kept as a secondary", tc.keep)
		}
	}
	if r.Len() != 3 || !r.Primary().Equal(a) {
		t.Error("Rotate changed the original ring")
	}
	if _, err := r.Rotate(b, -1); !errors.Is(err, keys.ErrDuplicateKey) {
		t.Errorf("rotating in a key already in the ring: err = %v", err)
	}
	if _, _, ok := r.Lookup(d.ID()); ok {
		t.Error("Lookup found a key not in the ring")
	}
	// Keys returns a copy.
	ks := r.Keys()
	ks[0] = d
	if !r.Primary().Equal(a) {
		t.Error("Keys exposed the ring's slice")
	}
}

func TestNewRingErrors(t *testing.T) {
	if _, err := keys.NewRing(); !errors.Is(err, keys.ErrEmptyRing) {
		t.Errorf("empty: %v", err)
	}
	if _, err := keys.NewRing(mustKey(t, 1), keys.Key{}); !errors.Is(err, keys.ErrKeySize) || !strings.Contains(err.Error(), "key 2") {
		t.Errorf("zero key: %v", err)
	}
	if _, err := keys.NewRing(mustKey(t, 1), mustKey(t, 1)); !errors.Is(err, keys.ErrDuplicateKey) {
		t.Errorf("duplicate: %v", err)
	}
}

func privateKey(t testing.TB, s keys.Scheme, i int) keys.PrivateKey {
	t.Helper()
	seed := bytes.Repeat(material(i), 2)[:s.SeedSize()]
	k, err := keys.NewPrivateKey(s, seed)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestRedaction formats every secret-holding type with every verb and
// requires that no spelling of the material appears.
func TestRedaction(t *testing.T) {
	k := mustKey(t, 1)
	r, err := keys.NewRing(k, mustKey(t, 2))
	if err != nil {
		t.Fatal(err)
	}
	pk := privateKey(t, ed448.Scheme(), 1)
	pr, err := keys.NewPrivateRing(pk, privateKey(t, ed448.Scheme(), 2))
	if err != nil {
		t.Fatal(err)
	}
	seed1 := bytes.Repeat(material(1), 2)[:57]
	seed2 := bytes.Repeat(material(2), 2)[:57]
	type holder struct {
		K  keys.Key
		P  keys.PrivateKey
		R  *keys.Ring
		PR *keys.PrivateRing
	}
	values := map[string]any{
		"Key": k, "*Key": &k, "*Ring": r, "Ring": *r,
		"PrivateKey": pk, "*PrivateKey": &pk, "*PrivateRing": pr, "PrivateRing": *pr,
		"struct":  holder{k, pk, r, pr},
		"*struct": &holder{k, pk, r, pr},
		"slice":   []keys.Key{k}, "map": map[string]keys.PrivateKey{"a": pk},
	}
	secrets := [][]byte{material(1), material(2), seed1, seed2}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%s", "%x", "%X", "%d", "%#v", "%q"} {
			out := fmt.Sprintf(verb, v)
			for _, s := range secrets {
				assertNoMaterial(t, name+" "+verb, out, s)
			}
		}
	}
	if got := k.String(); got != "keys.Key("+k.ID().String()+", redacted)" {
		t.Errorf("Key.String = %q", got)
	}
	if got := r.String(); !strings.Contains(got, k.ID().String()+"(primary)") {
		t.Errorf("Ring.String = %q", got)
	}
	if got := pk.String(); !strings.Contains(got, "ed448") || !strings.Contains(got, "redacted") {
		t.Errorf("PrivateKey.String = %q", got)
	}
	if got := pr.String(); !strings.HasPrefix(got, "keys.PrivateRing[ed448 ") {
		t.Errorf("PrivateRing.String = %q", got)
	}
	// Export is the one way out, and it does hold the material.
	if k.Export() != base64.RawURLEncoding.EncodeToString(material(1)) {
		t.Error("Export does not return the key")
	}
	if !strings.HasPrefix(pk.Export(), "ed448-private:") || !strings.Contains(pr.Export(), base64.RawURLEncoding.EncodeToString(seed2)) {
		t.Error("private Export does not return the seeds")
	}
}

func TestPrivateAndPublicRings(t *testing.T) {
	s := ed448.Scheme()
	a, b := privateKey(t, s, 1), privateKey(t, s, 2)
	pr, err := keys.NewPrivateRing(a, b)
	if err != nil {
		t.Fatal(err)
	}
	pub := pr.Public()
	if pub.Len() != 2 || pr.Len() != 2 || pr.Scheme().Name() != "ed448" || pub.Scheme().Name() != "ed448" {
		t.Fatalf("rings: %v %v", pr, pub)
	}
	for i, k := range pr.Keys() {
		pk, primary, ok := pub.Lookup(k.ID())
		if !ok || primary != (i == 0) || pk.ID() != k.ID() {
			t.Errorf("key %d: public ring has ID %v primary=%v ok=%v", i, pk.ID(), primary, ok)
		}
	}
	if pub.Primary().ID() != pr.Primary().ID() {
		t.Error("primaries differ")
	}
	if pk := pub.Keys(); len(pk) != 2 || pk[0].ID() != a.ID() || pk[1].ID() != b.ID() {
		t.Errorf("PublicRing.Keys() = %v, want the IDs of a then b", pk)
	}
	// Text round trips.
	pr2, err := keys.ParsePrivateRing(s, "SIGNING_KEYS="+pr.Export())
	if err != nil || pr2.String() != pr.String() {
		t.Fatalf("ParsePrivateRing(Export): %v %v", pr2, err)
	}
	pub2, err := keys.ParsePublicRing(s, pub.Export())
	if err != nil || pub2.String() != pub.String() {
		t.Fatalf("ParsePublicRing(Export): %v %v", pub2, err)
	}
	if !strings.HasPrefix(pub.String(), "keys.PublicRing[ed448 ") || !strings.Contains(pub.Primary().String(), pub.Primary().ID().String()) {
		t.Errorf("PublicRing.String = %q", pub.String())
	}
	// Sign and verify.
	msg := []byte("message")
	sig := a.Sign(msg)
	if len(sig) != s.SignatureSize() || !a.Public().Verify(msg, sig) || b.Public().Verify(msg, sig) {
		t.Error("sign/verify")
	}
	// Rotate keeps semantics as Ring.Rotate does.
	c := privateKey(t, s, 3)
	rot, err := pr.Rotate(c, 1)
	if err != nil || rot.Len() != 2 || rot.Primary().ID() != c.ID() || rot.Keys()[1].ID() != a.ID() {
		t.Errorf("Rotate(c, 1) = %v, %v", rot, err)
	}
	if all, _ := pr.Rotate(c, -1); all.Len() != 3 {
		t.Errorf("Rotate(c, -1) = %v", all)
	}
	if _, err := pr.Rotate(a, -1); !errors.Is(err, keys.ErrDuplicateKey) {
		t.Errorf("Rotate with a key in the ring: %v", err)
	}
}

func TestPublicRingErrors(t *testing.T) {
	s := ed448.Scheme()
	a := privateKey(t, s, 1)
	pubText := a.Public().Export()
	privText := a.Export()
	seedText := privText[len("ed448-private:"):]
	zero := "ed448-public:" + base64.RawURLEncoding.EncodeToString(make([]byte, 57))
	cases := []struct {
		name, text string
		private    bool
		err        error
	}{
		{"empty public", "", false, keys.ErrEmptyRing},
		{"empty private", " ", true, keys.ErrEmptyRing},
		{"private text to public parser", privText, false, keys.ErrScheme},
		{"public text to private parser", pubText, true, keys.ErrScheme},
		{"no tag", seedText, true, keys.ErrScheme},
		{"other scheme", strings.Replace(pubText, "ed448", "ed25519", 1), false, keys.ErrScheme},
		{"short public key", pubText[:len(pubText)-8], false, keys.ErrKeySize},
		{"short seed", privText[:len(privText)-8], true, keys.ErrKeySize},
		{"not base64", pubText[:20] + "*" + pubText[21:], false, keys.ErrNotBase64},
		{"duplicate", pubText + "," + pubText, false, keys.ErrDuplicateKey},
		{"duplicate private", privText + "," + privText, true, keys.ErrDuplicateKey},
		{"all-zero public key", zero, false, nil},
		{"weak seed", "ed448-private:" + base64.RawURLEncoding.EncodeToString(make([]byte, 57)), true, keys.ErrWeakKey},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if c.private {
				_, err = keys.ParsePrivateRing(s, c.text)
			} else {
				_, err = keys.ParsePublicRing(s, c.text)
			}
			if err == nil || (c.err != nil && !errors.Is(err, c.err)) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			assertNoMaterial(t, "error", err.Error(), bytes.Repeat(material(1), 2)[:57])
			if len(seedText) > 12 && strings.Contains(err.Error(), seedText[:12]) {
				t.Fatal("error quotes the seed text")
			}
		})
	}
	if _, err := keys.NewPublicRing(); !errors.Is(err, keys.ErrEmptyRing) {
		t.Errorf("NewPublicRing(): %v", err)
	}
	if _, err := keys.NewPrivateRing(); !errors.Is(err, keys.ErrEmptyRing) {
		t.Errorf("NewPrivateRing(): %v", err)
	}
	if _, err := keys.NewPrivateRing(a, keys.PrivateKey{}); !errors.Is(err, keys.ErrKeySize) {
		t.Errorf("NewPrivateRing with a zero key: %v", err)
	}
	if _, err := keys.GeneratePrivateKey(s, strings.NewReader("short")); err == nil {
		t.Error("GeneratePrivateKey from a short reader succeeded")
	}
}

// TestEd448SmallOrderKeysRefused: a public key of small order lets
// R = identity, S = 0 verify for every message, so the scheme refuses
// the identity and the point of order 2, and encodings that are not
// canonical.
func TestEd448SmallOrderKeysRefused(t *testing.T) {
	identity := make([]byte, 57)
	identity[0] = 1
	order2, _ := hex.DecodeString("fefffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffffffffffffffffffffffffffffffffffffffffffffffffff00")
	signBit := append([]byte(nil), identity...)
	signBit[56] = 0x80 // x = 0 with the sign bit set: a second spelling of the identity
	for name, pub := range map[string][]byte{"identity": identity, "order 2": order2, "identity, sign bit set": signBit, "zero": make([]byte, 57)} {
		if _, err := keys.NewPublicKey(ed448.Scheme(), pub); err == nil {
			t.Errorf("%s: NewPublicKey accepted it", name)
		}
	}
	for i := 1; i <= 16; i++ {
		if _, err := keys.NewPublicKey(ed448.Scheme(), exportedBytes(t, privateKey(t, ed448.Scheme(), i).Public().Export())); err != nil {
			t.Fatalf("real key %d refused: %v", i, err)
		}
	}
}

func TestZeroValuesAreErrors(t *testing.T) {
	if _, err := keys.NewPublicRing(keys.PublicKey{}); !errors.Is(err, keys.ErrKeySize) {
		t.Errorf("NewPublicRing(zero key) err = %v, want ErrKeySize", err)
	}
	if _, err := keys.NewPrivateRing(keys.PrivateKey{}); !errors.Is(err, keys.ErrKeySize) {
		t.Errorf("NewPrivateRing(zero key) err = %v, want ErrKeySize", err)
	}
	if _, err := keys.NewRing(keys.Key{}); !errors.Is(err, keys.ErrKeySize) {
		t.Errorf("NewRing(zero key) err = %v, want ErrKeySize", err)
	}
}
