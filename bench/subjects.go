package bench

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/keys"
	"github.com/crumbkit/crumb/keys/ed448"
	"github.com/crumbkit/crumb/signed"
	"github.com/gorilla/securecookie"
)

// CookieName is the cookie name every subject seals for.
const CookieName = "session"

// Lifetime is the validity every subject gives a value: crumb seals it
// as the expiry, gorilla checks it as MaxAge.
const Lifetime = 24 * time.Hour

// Session is a typical session: who the user is, what they may do, a
// CSRF token and a few times. Typical returns one whose JSON is about
// 200 bytes.
type Session struct {
	UserID    string   `json:"uid"`
	Email     string   `json:"email"`
	Roles     []string `json:"roles"`
	CSRF      string   `json:"csrf"`
	CreatedAt int64    `json:"created"`
	LastSeen  int64    `json:"seen"`
	Locale    string   `json:"locale"`
}

// Typical returns the session every benchmark seals.
func Typical() Session {
	return Session{
		UserID:    "usr_01HZX3K8Q2M4N6P8R0T2V4W6Y8",
		Email:     "ada.lovelace@example.com",
		Roles:     []string{"member", "editor", "billing"},
		CSRF:      "h3W9-qL2xV7mN0pR4sT8uY1zA5bC6dE",
		CreatedAt: 1767225600,
		LastSeen:  1767312000,
		Locale:    "en-GB",
	}
}

// Kind says whose code a subject runs.
type Kind string

const (
	KindCrumb   Kind = "crumb"
	KindGorilla Kind = "gorilla"
	KindBare    Kind = "bare"
	// KindJSON is the JSON encoding alone, with no protection: the floor
	// under every subject, since all of them encode the same struct.
	KindJSON Kind = "json"
)

// Subject is one way to turn a Session into a cookie value and back.
// Seal and Open include the JSON encoding, so every subject does the
// same job. Subjects are safe for concurrent use.
type Subject struct {
	// Name labels the subject's rows in the table.
	Name string
	// Group is the protection it gives: "encrypted" or "signed".
	Group string
	Kind  Kind
	Seal  func(s *Session) (string, error)
	Open  func(value string, into *Session) error
}

// Keys holds the key material for one set of subjects, generated fresh.
type Keys struct {
	Ring      *keys.Ring        // crumb symmetric ring, one key
	Ed448     *keys.PrivateRing // crumb Ed448 signing ring, one key
	HashKey   []byte            // gorilla HMAC-SHA256 key, 32 bytes
	BlockKey  []byte            // gorilla AES-256 key, 32 bytes
	AEADKey   []byte            // bare AES-256-GCM key, 32 bytes
	HMACKey   []byte            // bare HMAC-SHA256 key, 32 bytes
	ExtraKeys []keys.Key        // two more crumb keys, for rotation
	ExtraHash [][2][]byte       // two more gorilla hash/block pairs, for rotation
}

// NewKeys generates every key a set of subjects needs.
func NewKeys() (*Keys, error) {
	k := &Keys{}
	ks := make([]keys.Key, 3)
	for i := range ks {
		key, err := keys.Generate(nil)
		if err != nil {
			return nil, err
		}
		ks[i] = key
	}
	var err error
	if k.Ring, err = keys.NewRing(ks[0]); err != nil {
		return nil, err
	}
	k.ExtraKeys = ks[1:]
	pk, err := keys.GeneratePrivateKey(ed448.Scheme(), nil)
	if err != nil {
		return nil, err
	}
	if k.Ed448, err = keys.NewPrivateRing(pk); err != nil {
		return nil, err
	}
	for _, p := range []*[]byte{&k.HashKey, &k.BlockKey, &k.AEADKey, &k.HMACKey} {
		*p = make([]byte, 32)
		if _, err := rand.Read(*p); err != nil {
			return nil, err
		}
	}
	for range 2 {
		h, b := make([]byte, 32), make([]byte, 32)
		if _, err := rand.Read(h); err != nil {
			return nil, err
		}
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		k.ExtraHash = append(k.ExtraHash, [2][]byte{h, b})
	}
	return k, nil
}

// crumbSubject wraps a crumb sealer: json.Marshal then Seal; Open then
// json.Unmarshal.
func crumbSubject(name, group string, s crumb.Sealer) Subject {
	return Subject{
		Name: name, Group: group, Kind: KindCrumb,
		Seal: func(sess *Session) (string, error) {
			b, err := json.Marshal(sess)
			if err != nil {
				return "", err
			}
			return s.Seal(CookieName, b, time.Now().Add(Lifetime))
		},
		Open: func(v string, into *Session) error {
			o, err := s.Open(CookieName, v)
			if err != nil {
				return err
			}
			return json.Unmarshal(o.Payload, into)
		},
	}
}

// gorillaCodec is securecookie configured as its documentation
// recommends for JSON sessions: JSON serializer, a MaxAge equal to our
// lifetime, and, when blockKey is set, AES-256 encryption.
func gorillaCodec(hashKey, blockKey []byte) *securecookie.SecureCookie {
	return securecookie.New(hashKey, blockKey).
		SetSerializer(securecookie.JSONEncoder{}).
		MaxAge(int(Lifetime / time.Second))
}

func gorillaSubject(name, group string, sc *securecookie.SecureCookie) Subject {
	return Subject{
		Name: name, Group: group, Kind: KindGorilla,
		Seal: func(sess *Session) (string, error) { return sc.Encode(CookieName, sess) },
		Open: func(v string, into *Session) error { return sc.Decode(CookieName, v, into) },
	}
}

var b64 = base64.RawURLEncoding

// bareAEAD is the least code that encrypts a session: JSON, AES-256-GCM
// with a random 96-bit nonce and the cookie name as associated data, one
// base64url pass. Its AEAD is built once, as anyone would. It has no
// expiry, no key ID and no rotation, and its random nonces wear a key
// out after about 2^32 values: it is a floor, not a design.
func bareAEAD(key []byte) (Subject, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return Subject{}, err
	}
	g, err := cipher.NewGCM(block)
	if err != nil {
		return Subject{}, err
	}
	ad := []byte(CookieName)
	return Subject{
		Name: "bare JSON+AES-256-GCM+base64", Group: "encrypted", Kind: KindBare,
		Seal: func(sess *Session) (string, error) {
			pt, err := json.Marshal(sess)
			if err != nil {
				return "", err
			}
			buf := make([]byte, g.NonceSize(), g.NonceSize()+len(pt)+g.Overhead())
			if _, err := rand.Read(buf); err != nil {
				return "", err
			}
			buf = g.Seal(buf, buf, pt, ad)
			return b64.EncodeToString(buf), nil
		},
		Open: func(v string, into *Session) error {
			raw, err := b64.DecodeString(v)
			if err != nil {
				return err
			}
			if len(raw) < g.NonceSize()+g.Overhead() {
				return errors.New("bare: value too short")
			}
			ns := g.NonceSize()
			pt, err := g.Open(raw[ns:ns], raw[:ns], raw[ns:], ad)
			if err != nil {
				return err
			}
			return json.Unmarshal(pt, into)
		},
	}, nil
}

// bareHMAC is the least code that signs a session: JSON, HMAC-SHA256
// over name||JSON with hmac.New per call (as hand-written code does),
// one base64url pass over JSON||tag.
func bareHMAC(key []byte) Subject {
	return Subject{
		Name: "bare JSON+HMAC-SHA256+base64", Group: "signed", Kind: KindBare,
		Seal: func(sess *Session) (string, error) {
			b, err := json.Marshal(sess)
			if err != nil {
				return "", err
			}
			mac := hmac.New(sha256.New, key)
			mac.Write([]byte(CookieName))
			mac.Write(b)
			return b64.EncodeToString(mac.Sum(b)), nil
		},
		Open: func(v string, into *Session) error {
			raw, err := b64.DecodeString(v)
			if err != nil {
				return err
			}
			if len(raw) < sha256.Size {
				return errors.New("bare: value too short")
			}
			body, tag := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
			mac := hmac.New(sha256.New, key)
			mac.Write([]byte(CookieName))
			mac.Write(body)
			if !hmac.Equal(mac.Sum(nil), tag) {
				return errors.New("bare: bad tag")
			}
			return json.Unmarshal(body, into)
		},
	}
}

// Subjects returns every subject of the seal/open comparison, in table
// order: for each group, crumb first, then gorilla, then bare.
func Subjects(k *Keys) ([]Subject, error) {
	aead, err := bareAEAD(k.AEADKey)
	if err != nil {
		return nil, err
	}
	return []Subject{
		crumbSubject("crumb encrypted (AES-256-GCM)", "encrypted", encrypted.New(k.Ring)),
		gorillaSubject("gorilla securecookie hash+block (AES-CTR+HMAC)", "encrypted", gorillaCodec(k.HashKey, k.BlockKey)),
		aead,
		crumbSubject("crumb signed HMAC-SHA256", "signed", signed.New(k.Ring)),
		gorillaSubject("gorilla securecookie hash only (HMAC)", "signed", gorillaCodec(k.HashKey, nil)),
		bareHMAC(k.HMACKey),
		crumbSubject("crumb signed Ed448", "signed", signed.NewPublic(k.Ed448)),
		jsonOnly(),
	}, nil
}

// jsonOnly is json.Marshal and json.Unmarshal of the session and nothing
// else. No cookie subject can be cheaper, so it bounds every ratio: a
// subject can be at most (gorilla's cost ÷ this cost) times faster than
// gorilla.
func jsonOnly() Subject {
	return Subject{
		Name: "JSON alone (no protection, not a cookie value)", Group: "reference", Kind: KindJSON,
		Seal: func(sess *Session) (string, error) {
			b, err := json.Marshal(sess)
			return string(b), err
		},
		Open: func(v string, into *Session) error { return json.Unmarshal([]byte(v), into) },
	}
}

// Rotation is an open where the value's key is the third of three.
type Rotation struct {
	Name string
	Kind Kind
	// Value was sealed under the third key; Open must find it.
	Value string
	Open  func(value string, into *Session) error
	// First is a value under the first key, for the baseline.
	First string
}

// Rotations returns the rotation subjects: gorilla's DecodeMulti, which
// tries each codec in turn, and crumb's encrypted sealer, which finds
// the key by the ID in the value.
func Rotations(k *Keys) ([]Rotation, error) {
	sess := Typical()

	codecs := []securecookie.Codec{
		gorillaCodec(k.HashKey, k.BlockKey),
		gorillaCodec(k.ExtraHash[0][0], k.ExtraHash[0][1]),
		gorillaCodec(k.ExtraHash[1][0], k.ExtraHash[1][1]),
	}
	gFirst, err := codecs[0].Encode(CookieName, &sess)
	if err != nil {
		return nil, err
	}
	gThird, err := codecs[2].Encode(CookieName, &sess)
	if err != nil {
		return nil, err
	}

	ring3, err := keys.NewRing(k.Ring.Primary(), k.ExtraKeys[0], k.ExtraKeys[1])
	if err != nil {
		return nil, err
	}
	onlyThird, err := keys.NewRing(k.ExtraKeys[1])
	if err != nil {
		return nil, err
	}
	opener := encrypted.New(ring3)
	cFirst, err := crumbSubject("", "", opener).Seal(&sess)
	if err != nil {
		return nil, err
	}
	cThird, err := crumbSubject("", "", encrypted.New(onlyThird)).Seal(&sess)
	if err != nil {
		return nil, err
	}
	return []Rotation{
		{
			Name: "gorilla DecodeMulti, 3 codecs", Kind: KindGorilla,
			First: gFirst, Value: gThird,
			Open: func(v string, into *Session) error {
				return securecookie.DecodeMulti(CookieName, v, into, codecs...)
			},
		},
		{
			Name: "crumb encrypted, ring of 3", Kind: KindCrumb,
			First: cFirst, Value: cThird,
			Open: crumbSubject("", "", opener).Open,
		},
	}, nil
}

// Layer is crumb's sealer layer alone: Seal and Open of payload bytes
// that are already JSON, to count the allocations the sealer itself
// makes.
type Layer struct {
	Name    string
	Sealer  crumb.Sealer
	Payload []byte
}

// Layers returns the sealer-layer subjects.
func Layers(k *Keys) ([]Layer, error) {
	sess := Typical()
	p, err := json.Marshal(&sess)
	if err != nil {
		return nil, err
	}
	return []Layer{
		{"crumb encrypted", encrypted.New(k.Ring), p},
		{"crumb encrypted, Open cache off", encrypted.New(k.Ring, encrypted.WithOpenCache(0)), p},
		{"crumb signed HMAC", signed.New(k.Ring), p},
	}, nil
}

// TypicalJSONLen is the size of Typical's JSON, for the table's caption.
func TypicalJSONLen() int {
	s := Typical()
	b, err := json.Marshal(&s)
	if err != nil {
		panic(fmt.Sprint("bench: Typical does not encode: ", err))
	}
	return len(b)
}
