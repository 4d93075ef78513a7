package gate

import "unicode/utf8"

// StringField returns the value of a top-level string field of a JSON
// object (the key compared exactly), such as the "email" of the login demo's session data. It is a
// few dozen lines instead of encoding/json so that the gate's own code
// needs no reflection (TinyGo) and costs nothing per request beyond one
// scan. It returns false for anything but a well-formed object whose
// field is a string (invalid UTF-8 and unpaired surrogates included,
// where encoding/json would substitute U+FFFD); it never panics.
func StringField(data []byte, field string) (string, bool) {
	s := scanner{b: data}
	s.ws()
	if !s.eat('{') {
		return "", false
	}
	s.ws()
	if s.eat('}') {
		return "", false
	}
	// The whole object is scanned and the last occurrence wins, as in
	// encoding/json, so the gate reads what the origin's decoder reads.
	var val string
	found := false
	for {
		s.ws()
		key, ok := s.str()
		if !ok {
			return "", false
		}
		s.ws()
		if !s.eat(':') {
			return "", false
		}
		s.ws()
		if key == field {
			if s.peek() == '"' {
				val, ok = s.str()
				found = ok
			} else {
				found = false
				ok = s.skip(1)
			}
		} else {
			ok = s.skip(1)
		}
		if !ok {
			return "", false
		}
		s.ws()
		if s.eat(',') {
			continue
		}
		if s.eat('}') {
			s.ws()
			if s.i != len(s.b) {
				return "", false
			}
			return val, found
		}
		return "", false
	}
}

type scanner struct {
	b []byte
	i int
}

func (s *scanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) eat(c byte) bool {
	if s.peek() == c && s.i < len(s.b) {
		s.i++
		return true
	}
	return false
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// maxDepth bounds nesting as encoding/json does (10000 open objects
// and arrays), so the gate refuses exactly the deep values the origin's
// decoder refuses, and hostile data cannot make skip recurse without
// end.
const maxDepth = 10000

// skip passes over one value of any type; depth is the number of
// objects and arrays around it.
func (s *scanner) skip(depth int) bool {
	switch c := s.peek(); c {
	case '"':
		_, ok := s.str()
		return ok
	case '{', '[':
		if depth >= maxDepth {
			return false
		}
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		s.i++
		s.ws()
		if s.eat(closing) {
			return true
		}
		for {
			s.ws()
			if c == '{' {
				if _, ok := s.str(); !ok {
					return false
				}
				s.ws()
				if !s.eat(':') {
					return false
				}
				s.ws()
			}
			if !s.skip(depth + 1) {
				return false
			}
			s.ws()
			if s.eat(closing) {
				return true
			}
			if !s.eat(',') {
				return false
			}
		}
	case 't':
		return s.word("true")
	case 'f':
		return s.word("false")
	case 'n':
		return s.word("null")
	default:
		return s.number()
	}
}

func (s *scanner) word(w string) bool {
	if len(s.b)-s.i < len(w) || string(s.b[s.i:s.i+len(w)]) != w {
		return false
	}
	s.i += len(w)
	return true
}

// number reads a number as JSON's grammar has it:
// -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
func (s *scanner) number() bool {
	s.eat('-')
	if !s.eat('0') {
		if c := s.peek(); c < '1' || c > '9' {
			return false
		}
		s.digits()
	}
	if s.eat('.') && !s.digits() {
		return false
	}
	if s.eat('e') || s.eat('E') {
		if !s.eat('+') {
			s.eat('-')
		}
		if !s.digits() {
			return false
		}
	}
	return true
}

// digits reads one or more decimal digits.
func (s *scanner) digits() bool {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

// str reads a string at the cursor, decoding escapes.
func (s *scanner) str() (string, bool) {
	if !s.eat('"') {
		return "", false
	}
	start := s.i
	// Fast path: no escapes.
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c == '"' {
			v := string(s.b[start:s.i])
			s.i++
			return v, utf8.ValidString(v)
		}
		if c == '\\' || c < 0x20 {
			break
		}
		s.i++
	}
	out := append([]byte(nil), s.b[start:s.i]...)
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return string(out), utf8.Valid(out)
		case c < 0x20:
			return "", false
		case c != '\\':
			out = append(out, c)
			s.i++
			continue
		}
		if s.i+1 >= len(s.b) {
			return "", false
		}
		e := s.b[s.i+1]
		s.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := s.hex4()
			if !ok {
				return "", false
			}
			if r >= 0xD800 && r < 0xDC00 { // a low surrogate must follow
				if s.i+1 >= len(s.b) || s.b[s.i] != '\\' || s.b[s.i+1] != 'u' {
					return "", false
				}
				s.i += 2
				lo, ok := s.hex4()
				if !ok || lo < 0xDC00 || lo >= 0xE000 {
					return "", false
				}
				r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
			} else if r >= 0xDC00 && r < 0xE000 {
				return "", false
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", false
		}
	}
	return "", false
}

func (s *scanner) hex4() (rune, bool) {
	if s.i+4 > len(s.b) {
		return 0, false
	}
	var r rune
	for _, c := range s.b[s.i : s.i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	s.i += 4
	return r, true
}
