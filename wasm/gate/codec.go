package gate

import (
	"errors"
	"strconv"
	"unicode/utf8"

	"github.com/crumbkit/crumb/cookiestore"
)

// Codec is the cookiestore.Codec of the gate's store, a
// Store[cookiestore.Raw]. It reads and writes the same JSON as
// cookiestore.JSONCodec (the default the origin uses) for the only two
// things such a store encodes: the record (*cookiestore.Envelope) and
// the session data (*cookiestore.Raw). It exists so that the gate links
// no encoding/json, whose reflection was about 0.16 MB of the gzipped
// module; with the crumb_nojson build tag nothing else links it either.
//
// What it writes is byte for byte what JSONCodec writes for the same
// record (raw values compacted, HTML characters escaped). What it
// reads, encoding/json reads the same way. It is stricter than
// encoding/json in ways the origin's records never need: a record key
// other than "i", "c", "t", "r", "a", "b", "f" and "d", a repeated
// one, a null ID, creation time or lifetime field, and invalid UTF-8
// in a string are refused, so that a
// renewal never drops a field of a newer record format. Other types
// (flash values: the gate reads none) get an error.
type Codec struct{}

var (
	errCodecType = errors.New("gate: Codec encodes only *cookiestore.Envelope and *cookiestore.Raw")
	errSyntax    = errors.New("gate: invalid JSON")
	errRecord    = errors.New("gate: not a session record")
)

// Marshal encodes a *cookiestore.Envelope or a *cookiestore.Raw.
func (Codec) Marshal(v any) ([]byte, error) {
	switch v := v.(type) {
	case *cookiestore.Raw:
		return appendRaw(nil, *v)
	case *cookiestore.Envelope:
		return appendEnvelope(v)
	}
	return nil, errCodecType
}

// Unmarshal decodes into a *cookiestore.Envelope or a *cookiestore.Raw.
func (Codec) Unmarshal(data []byte, v any) error {
	switch v := v.(type) {
	case *cookiestore.Raw:
		s := scanner{b: data}
		s.ws()
		start := s.i
		if !s.skip(0) {
			return errSyntax
		}
		end := s.i
		s.ws()
		if s.i != len(s.b) {
			return errSyntax
		}
		// As Raw.UnmarshalJSON: a copy of the value without the white
		// space around it.
		*v = append((*v)[:0], data[start:end]...)
		return nil
	case *cookiestore.Envelope:
		return parseEnvelope(data, v)
	}
	return errCodecType
}

// appendRaw appends r as json.Marshal writes a Raw: null when empty,
// else checked to be one JSON value and compacted with HTML escaping
// (what encoding/json does to a MarshalJSON result).
func appendRaw(dst []byte, r cookiestore.Raw) ([]byte, error) {
	if len(r) == 0 {
		return append(dst, "null"...), nil
	}
	s := scanner{b: r}
	s.ws()
	if !s.skip(0) {
		return nil, errSyntax
	}
	s.ws()
	if s.i != len(r) {
		return nil, errSyntax
	}
	return appendCompact(dst, r), nil
}

// appendCompact appends the valid JSON src without white space outside
// strings, with <, >, &, U+2028 and U+2029 escaped, as encoding/json's
// compact does. In valid JSON those characters occur only in strings,
// and never right after a backslash.
func appendCompact(dst, src []byte) []byte {
	inString, escaped := false, false
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '<' || c == '>' || c == '&':
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			continue
		case c == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && src[i+2]&^1 == 0xA8:
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[src[i+2]&0xF])
			i += 2
			continue
		}
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// appendEnvelope writes the record in the order and form json.Marshal
// gives cookiestore.Envelope: fields in declaration order, "f" left out
// when empty, map keys sorted.
func appendEnvelope(e *cookiestore.Envelope) ([]byte, error) {
	b := make([]byte, 0, 64+len(e.Data))
	b = append(b, `{"i":`...)
	b = appendString(b, e.ID)
	b = append(b, `,"c":`...)
	b = strconv.AppendInt(b, e.Created, 10)
	// The lifetime fields, left out when zero (omitempty).
	for _, f := range [...]struct {
		key string
		v   int64
	}{{`,"t":`, e.Idle}, {`,"r":`, e.Renew}, {`,"a":`, e.Deadline}} {
		if f.v != 0 {
			b = append(b, f.key...)
			b = strconv.AppendInt(b, f.v, 10)
		}
	}
	if e.Browser {
		b = append(b, `,"b":true`...)
	}
	if len(e.Flashes) > 0 {
		keys := make([]string, 0, len(e.Flashes))
		for k := range e.Flashes {
			keys = append(keys, k)
		}
		// Insertion sort: a record holds a handful of flash keys, and
		// package sort would add 19 KB of code to the module.
		for i := 1; i < len(keys); i++ {
			for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
				keys[j], keys[j-1] = keys[j-1], keys[j]
			}
		}
		b = append(b, `,"f":{`...)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			vals := e.Flashes[k]
			if vals == nil {
				b = append(b, "null"...)
				continue
			}
			b = append(b, '[')
			for j, r := range vals {
				if j > 0 {
					b = append(b, ',')
				}
				var err error
				if b, err = appendRaw(b, r); err != nil {
					return nil, err
				}
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	b = append(b, `,"d":`...)
	b, err := appendRaw(b, e.Data)
	if err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

const hexDigits = "0123456789abcdef"

// appendString quotes s as encoding/json does with HTML escaping (its
// default): <, > and & as \u003c, \u003e and \u0026, U+2028 and U+2029
// escaped, invalid UTF-8 as \ufffd.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// parseEnvelope reads a record as json.Unmarshal would into a zero
// Envelope, refusing what Codec's documentation says it refuses. The
// raw values it keeps are copies: data is the caller's buffer.
func parseEnvelope(data []byte, e *cookiestore.Envelope) error {
	*e = cookiestore.Envelope{}
	s := scanner{b: data}
	s.ws()
	if !s.eat('{') {
		return errRecord
	}
	var seen [8]bool
	s.ws()
	if !s.eat('}') {
		for {
			s.ws()
			key, ok := s.str()
			if !ok {
				return errSyntax
			}
			s.ws()
			if !s.eat(':') {
				return errSyntax
			}
			s.ws()
			field := -1
			switch key {
			case "i":
				field = 0
				if e.ID, ok = s.str(); !ok {
					return errRecord
				}
			case "c":
				field = 1
				start := s.i
				if !s.number() {
					return errRecord
				}
				// An int64 field takes an integer only.
				if e.Created, ok = parseInt(data[start:s.i]); !ok {
					return errRecord
				}
			case "t", "r", "a":
				field = 4
				dst := &e.Idle
				switch key {
				case "r":
					field, dst = 5, &e.Renew
				case "a":
					field, dst = 6, &e.Deadline
				}
				start := s.i
				if !s.number() {
					return errRecord
				}
				if *dst, ok = parseInt(data[start:s.i]); !ok {
					return errRecord
				}
			case "b":
				field = 7
				switch {
				case s.word("true"):
					e.Browser = true
				case s.word("false"):
				default:
					return errRecord
				}
			case "f":
				field = 2
				if !s.word("null") {
					if e.Flashes, ok = parseFlashes(&s); !ok {
						return errRecord
					}
				}
			case "d":
				field = 3
				if e.Data, ok = rawValue(&s, 1); !ok {
					return errSyntax
				}
			default:
				return errRecord
			}
			if seen[field] {
				return errRecord
			}
			seen[field] = true
			s.ws()
			if s.eat(',') {
				continue
			}
			if s.eat('}') {
				break
			}
			return errSyntax
		}
	}
	s.ws()
	if s.i != len(s.b) {
		return errSyntax
	}
	return nil
}

// parseInt reads a JSON number that is an integer within int64.
func parseInt(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false // a fraction or an exponent
		}
		n = n*10 + uint64(c-'0') // 19 digits cannot overflow uint64
	}
	if neg {
		if n > 1<<63 {
			return 0, false
		}
		return -int64(n), true
	}
	if n > 1<<63-1 {
		return 0, false
	}
	return int64(n), true
}

// rawValue reads one value at the cursor, inside depth objects and
// arrays, and returns a copy of it.
func rawValue(s *scanner, depth int) (cookiestore.Raw, bool) {
	start := s.i
	if !s.skip(depth) {
		return nil, false
	}
	return append(cookiestore.Raw(nil), s.b[start:s.i]...), true
}

// parseFlashes reads the "f" object: keys to arrays of raw values (or
// null). A repeated key keeps the last, as encoding/json's map decoding
// does.
func parseFlashes(s *scanner) (map[string][]cookiestore.Raw, bool) {
	if !s.eat('{') {
		return nil, false
	}
	m := map[string][]cookiestore.Raw{}
	s.ws()
	if s.eat('}') {
		return m, true
	}
	for {
		s.ws()
		key, ok := s.str()
		if !ok {
			return nil, false
		}
		s.ws()
		if !s.eat(':') {
			return nil, false
		}
		s.ws()
		var vals []cookiestore.Raw
		if !s.word("null") {
			if !s.eat('[') {
				return nil, false
			}
			vals = []cookiestore.Raw{}
			s.ws()
			if !s.eat(']') {
				for {
					s.ws()
					r, ok := rawValue(s, 3)
					if !ok {
						return nil, false
					}
					vals = append(vals, r)
					s.ws()
					if s.eat(',') {
						continue
					}
					if s.eat(']') {
						break
					}
					return nil, false
				}
			}
		}
		m[key] = vals
		s.ws()
		if s.eat(',') {
			continue
		}
		if s.eat('}') {
			return m, true
		}
		return nil, false
	}
}
