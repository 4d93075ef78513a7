package keys

import (
	"encoding/base64"
	"io"
	"strconv"
	"strings"
)

var (
	b64url = base64.RawURLEncoding
	b64std = base64.RawStdEncoding
)

// Ring is an ordered, immutable list of symmetric keys. The first key,
// the primary, seals; every key opens.
type Ring struct {
	keys []Key
	byID map[ID]int
}

// NewRing returns a ring of the given keys, the first being the
// primary. It refuses an empty list, an invalid key, and a key that
// appears twice (or two keys whose IDs collide, which is as unlikely as
// a 32-bit hash collision and is reported the same way).
func NewRing(ks ...Key) (*Ring, error) {
	if len(ks) == 0 {
		return nil, ErrEmptyRing
	}
	r := &Ring{keys: make([]Key, len(ks)), byID: make(map[ID]int, len(ks))}
	for i, k := range ks {
		if !k.Valid() {
			return nil, errAt(ErrKeySize, "key "+strconv.Itoa(i+1)+" is the zero Key")
		}
		if _, dup := r.byID[k.ID()]; dup {
			return nil, errAt(ErrDuplicateKey, "key "+strconv.Itoa(i+1)+" has the ID "+k.ID().String()+" of an earlier key")
		}
		r.byID[k.ID()] = i
		r.keys[i] = k
	}
	return r, nil
}

// GenerateRing returns a ring with one fresh key from r (crypto/rand
// when nil): what a development server uses when no keys are configured.
func GenerateRing(r io.Reader) (*Ring, error) {
	k, err := Generate(r)
	if err != nil {
		return nil, err
	}
	return NewRing(k)
}

// ParseRing reads a ring from its text form: keys in base64, url-safe or
// standard alphabet, padded or not, separated by commas (spaces and
// newlines around them are ignored). A leading NAME= as in
// SESSION_KEYS=k1,k2 is accepted and ignored, and so is one pair of
// quotes around the keys, so a line from an env file can be pasted as
// is; "NAME=" alone is an empty ring. Errors name the position of the
// bad key, never its text.
func ParseRing(text string) (*Ring, error) {
	fields, err := splitRing(text)
	if err != nil {
		return nil, err
	}
	ks := make([]Key, 0, len(fields))
	for i, f := range fields {
		b, err := decodeKeyText(f)
		if err != nil {
			return nil, errAt(err, "key "+strconv.Itoa(i+1))
		}
		k, err := NewKey(b)
		if err != nil {
			return nil, errAt(err, "key "+strconv.Itoa(i+1))
		}
		ks = append(ks, k)
	}
	return NewRing(ks...)
}

// splitRing strips an optional NAME= prefix and splits on commas and
// whitespace.
func splitRing(text string) ([]string, error) {
	text = unquote(strings.TrimSpace(text))
	if i := strings.IndexByte(text, '='); i > 0 && isEnvName(text[:i]) {
		// A padded key also ends in '=', and a key made only of
		// letters, digits and '_' looks like a NAME; but its '=' is
		// followed by more padding, a separator or the end, while a
		// NAME= prefix is followed by a key.
		switch rest := text[i+1:]; {
		case rest != "" && !isPadOrSep(rest[0]):
			text = unquote(rest)
		case rest == "" && i != b64url.EncodedLen(KeySize):
			// "NAME=" and nothing else: an unset variable, not a
			// padded key (whose body is 43 characters).
			return nil, ErrEmptyRing
		}
	}
	fields := strings.FieldsFunc(text, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\n' || r == '\t' || r == '\r'
	})
	if len(fields) == 0 {
		return nil, ErrEmptyRing
	}
	return fields, nil
}

// unquote strips one pair of matching quotes, as env files and shells
// leave them: SESSION_KEYS="k1,k2". No base64 alphabet has quotes.
func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

func isPadOrSep(c byte) bool {
	return c == '=' || c == ',' || c == ' ' || c == '\n' || c == '\t' || c == '\r'
}

func isEnvName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// decodeKeyText accepts either base64 alphabet, padded or not.
func decodeKeyText(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	enc := b64url
	if strings.ContainsAny(s, "+/") {
		enc = b64std
	}
	b, err := enc.DecodeString(s)
	if err != nil {
		return nil, ErrNotBase64
	}
	return b, nil
}

// Primary returns the key that seals.
func (r *Ring) Primary() Key { return r.keys[0] }

// Lookup returns the key with the given ID and whether it is the
// primary. ok is false when no key in the ring has that ID.
func (r *Ring) Lookup(id ID) (k Key, primary, ok bool) {
	i, ok := r.byID[id]
	if !ok {
		return Key{}, false, false
	}
	return r.keys[i], i == 0, true
}

// Len returns the number of keys.
func (r *Ring) Len() int { return len(r.keys) }

// Keys returns the keys, primary first. The slice is a copy.
func (r *Ring) Keys() []Key { return append([]Key(nil), r.keys...) }

// Rotate returns a new ring with k as the primary, followed by at most
// keep keys of r, newest first. keep < 0 keeps them all.
func (r *Ring) Rotate(k Key, keep int) (*Ring, error) {
	old := r.keys
	if keep >= 0 && keep < len(old) {
		old = old[:keep]
	}
	return NewRing(append([]Key{k}, old...)...)
}

// Export returns the ring in its text form, keys in unpadded base64url
// separated by commas. Handle the result as a secret.
func (r *Ring) Export() string {
	var b strings.Builder
	for i, k := range r.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k.Export())
	}
	return b.String()
}

// String redacts the ring: it lists the key IDs only.
func (r *Ring) String() string {
	var b strings.Builder
	b.WriteString("keys.Ring[")
	for i, k := range r.keys {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(k.ID().String())
		if i == 0 {
			b.WriteString("(primary)")
		}
	}
	b.WriteString("]")
	return b.String()
}

// GoString redacts the ring for %#v.
func (r *Ring) GoString() string { return r.String() }

// posError adds where an error happened without saying what the bad
// text was.
type posError struct {
	err error
	pos string
}

func (e *posError) Error() string { return e.err.Error() + " (" + e.pos + ")" }
func (e *posError) Unwrap() error { return e.err }

func errAt(err error, pos string) error { return &posError{err, pos} }
