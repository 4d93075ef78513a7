package bench

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/signed"
)

// CookieAttrs are the attributes of a typical session cookie. Together
// with "session=" and the value they make the Set-Cookie header value
// that browsers cap at MaxCookieLine bytes.
const CookieAttrs = "; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=86400"

// MaxCookieLine is the size browsers guarantee for one cookie, name,
// value and attributes together (RFC 6265, section 6.1).
const MaxCookieLine = 4096

// LineLen is the length of the Set-Cookie header value carrying value
// under CookieName with CookieAttrs.
func LineLen(value string) int {
	return len(CookieName) + 1 + len(value) + len(CookieAttrs)
}

// Capacity is the largest JSON payload a subject fits in one cookie.
type Capacity struct {
	Subject  string
	Payload  int // bytes of JSON
	ValueLen int // length of the cookie value for that payload
	LineLen  int // length of the whole Set-Cookie value
}

// filler is a JSON document whose size is len(D)+8.
type filler struct {
	D string `json:"d"`
}

type encodeFunc func(v *filler) (string, error)

// capacityOf finds, by encoding, the largest filler whose cookie line
// still fits in MaxCookieLine bytes. Every encoding here grows with the
// payload, so a binary search over the filler's length is exact.
func capacityOf(name string, enc encodeFunc) (Capacity, error) {
	fits := func(n int) (string, bool, error) {
		v, err := enc(&filler{D: strings.Repeat("x", n)})
		if err != nil {
			return "", false, err
		}
		return v, LineLen(v) <= MaxCookieLine, nil
	}
	lo, hi := 0, MaxCookieLine // fits(lo) holds, fits(hi) does not
	if _, ok, err := fits(lo); err != nil || !ok {
		return Capacity{Subject: name}, err
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		_, ok, err := fits(mid)
		if err != nil {
			return Capacity{}, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	v, _, err := fits(lo)
	if err != nil {
		return Capacity{}, err
	}
	p, err := json.Marshal(&filler{D: strings.Repeat("x", lo)})
	if err != nil {
		return Capacity{}, err
	}
	return Capacity{Subject: name, Payload: len(p), ValueLen: len(v), LineLen: LineLen(v)}, nil
}

func crumbEncode(s crumb.Sealer) encodeFunc {
	return func(v *filler) (string, error) {
		b, err := json.Marshal(v)
		if err != nil {
			return "", err
		}
		return s.Seal(CookieName, b, time.Now().Add(Lifetime))
	}
}

// Capacities measures each subject's cookie capacity by encoding. The
// gorilla codecs have their 4096-byte MaxLength lifted so that the
// Set-Cookie line, not a library default, is the limit for everyone.
func Capacities(k *Keys) ([]Capacity, error) {
	subjects := []struct {
		name string
		enc  encodeFunc
	}{
		{"crumb encrypted", crumbEncode(encrypted.New(k.Ring))},
		{"crumb signed HMAC", crumbEncode(signed.New(k.Ring))},
		{"crumb signed Ed448", crumbEncode(signed.NewPublic(k.Ed448))},
		{"gorilla securecookie hash+block", func(v *filler) (string, error) {
			return gorillaCodec(k.HashKey, k.BlockKey).MaxLength(0).Encode(CookieName, v)
		}},
		{"gorilla securecookie hash only", func(v *filler) (string, error) {
			return gorillaCodec(k.HashKey, nil).MaxLength(0).Encode(CookieName, v)
		}},
	}
	var out []Capacity
	for _, s := range subjects {
		c, err := capacityOf(s.name, s.enc)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
