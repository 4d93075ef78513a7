package cookiestore

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
)

// Codec encodes session data and flash values to bytes and back. The
// record around them (session ID, creation time, flashes) is encoded
// with the same Codec, as an *Envelope; byte slices in it are Raw
// values, which JSON writes inline and other codecs write as byte
// strings.
type Codec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// JSONCodec is the default Codec: encoding/json.
type JSONCodec struct{}

func (JSONCodec) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (JSONCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// jsonShortcuts is the store's way to find JSONCodec's shortcuts (the
// pooled encoder and decoder, the record's fast path, plain-type
// comparison) without naming JSONCodec: only a method of JSONCodec
// refers to them, so a module that never uses JSONCodec (built with the
// crumb_nojson tag and a Codec of its own) links none of encoding/json.
type jsonShortcuts interface {
	jsonShortcuts(c Codec, data reflect.Type) (newScratch, newDecoder func() any, plain, ok bool)
}

// jsonShortcuts reports the pools' constructors, and whether the data
// type is plain (see plainType), when c is exactly JSONCodec; a type
// that embeds JSONCodec may encode differently.
func (JSONCodec) jsonShortcuts(c Codec, data reflect.Type) (newScratch, newDecoder func() any, plain, ok bool) {
	if _, exact := c.(JSONCodec); !exact {
		return nil, nil, false, false
	}
	return newJSONScratch, newJSONDecoder, plainType(data), true
}

// Raw is an already encoded value inside the record. With JSONCodec it
// is written inline, like json.RawMessage.
type Raw []byte

// MarshalJSON writes r as it is (null when empty).
func (r Raw) MarshalJSON() ([]byte, error) {
	if len(r) == 0 {
		return []byte("null"), nil
	}
	return r, nil
}

// UnmarshalJSON keeps a copy of the encoded value.
func (r *Raw) UnmarshalJSON(b []byte) error {
	if r == nil {
		return errors.New("cookiestore: Raw: UnmarshalJSON on nil pointer")
	}
	*r = append((*r)[:0], b...)
	return nil
}

// Envelope is the record around the session data, as the Codec sees
// it: Marshal gets a *Envelope to encode and Unmarshal a *Envelope to
// fill. A Codec that does not reflect (to keep an edge module small)
// handles it in a type switch. With JSONCodec it reads
// {"i":"<id>","c":<unix>,"t":<s>,"r":<s>,"a":<unix>,"f":{...},"d":<data>}
// ("b":true before "f" for a browser-session cookie).
//
// The field order matters: with the data last, a record without
// flashes reads as {"i":"<id>","c":<unix>,"t":..,"r":..,"a":..,"d":<data>},
// which parseJSONRecord splits without a reflective decode. Short keys
// keep the cookie small.
//
// Idle, Renew, Deadline and Browser are the session's Lifetime, sealed
// so that any Store opening the record enforces and renews it as the
// Store that wrote it would. They are all zero in records written
// before they existed; such a record takes the opening Store's
// Options.
type Envelope struct {
	// ID is the session ID (43 characters of base64url).
	ID string `json:"i"`
	// Created is the session's creation time, in Unix seconds.
	Created int64 `json:"c"`
	// Idle is the idle timeout (Lifetime.Idle), in seconds.
	Idle int64 `json:"t,omitempty"`
	// Renew is Lifetime.RenewAfter, in seconds.
	Renew int64 `json:"r,omitempty"`
	// Deadline is the absolute end (Created plus Lifetime.Absolute),
	// in Unix seconds.
	Deadline int64 `json:"a,omitempty"`
	// Browser is Lifetime.BrowserSession.
	Browser bool `json:"b,omitempty"`
	// Flashes are the flash values by key, each encoded by the Codec.
	Flashes map[string][]Raw `json:"f,omitempty"`
	// Data is the session data, encoded by the Codec.
	Data Raw `json:"d"`
}

// parseJSONRecord is the fast path for the common record, one without
// flashes, as json.Marshal writes it. It reports false for anything
// else, which then goes through the Codec. It does not validate the
// data: the Codec's decode of it does, and trailing bytes after the
// data make that fail. The returned Data aliases b.
func parseJSONRecord(b []byte) (Envelope, bool) {
	const head, mid, tail = `{"i":"`, `","c":`, `,"d":`
	if len(b) < len(head)+idText+len(mid)+1+len(tail)+2 || string(b[:len(head)]) != head {
		return Envelope{}, false
	}
	b = b[len(head):]
	for _, c := range b[:idText] {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return Envelope{}, false
		}
	}
	var w Envelope
	id := b[:idText]
	b = b[idText:]
	if string(b[:len(mid)]) != mid {
		return Envelope{}, false
	}
	b = b[len(mid):]
	var ok bool
	if w.Created, b, ok = jsonUint(b); !ok {
		return Envelope{}, false
	}
	// The optional fields, in declaration order, as json.Marshal
	// leaves them out when zero.
	for _, f := range [...]struct {
		key string
		dst *int64
	}{{`,"t":`, &w.Idle}, {`,"r":`, &w.Renew}, {`,"a":`, &w.Deadline}} {
		if len(b) > len(f.key) && string(b[:len(f.key)]) == f.key {
			if *f.dst, b, ok = jsonUint(b[len(f.key):]); !ok || *f.dst == 0 {
				return Envelope{}, false
			}
		}
	}
	const browser = `,"b":true`
	if len(b) > len(browser) && string(b[:len(browser)]) == browser {
		w.Browser, b = true, b[len(browser):]
	}
	if len(b) < len(tail)+2 || string(b[:len(tail)]) != tail || b[len(b)-1] != '}' {
		return Envelope{}, false
	}
	w.ID, w.Data = string(id), b[len(tail):len(b)-1]
	return w, true
}

// jsonUint reads the decimal digits of a non-negative integer of at
// most 11 digits (Unix seconds up to the year 5138, or a timeout) at
// the start of b, and returns the rest.
func jsonUint(b []byte) (int64, []byte, bool) {
	var n int64
	i := 0
	for ; i < len(b) && i < 12 && b[i] >= '0' && b[i] <= '9'; i++ {
		n = n*10 + int64(b[i]-'0')
	}
	if i == 0 || i == 12 || (i > 1 && b[0] == '0') {
		return 0, b, false
	}
	return n, b[i:], true
}

// maxScratch is the largest scratch buffer kept for reuse; a session
// that large is rare, and keeping its buffer would pin the memory.
const maxScratch = 64 << 10

// jsonScratch encodes with JSONCodec's rules into a reusable buffer, for
// encodings that are only compared (has the data changed?) and never
// kept, so the comparison allocates nothing.
type jsonScratch struct {
	buf bytes.Buffer
	enc *json.Encoder
}

func newJSONScratch() any {
	sc := &jsonScratch{}
	// json.Encoder escapes HTML by default, like json.Marshal, so the
	// bytes match JSONCodec.Marshal's except for the newline Encode
	// appends.
	sc.enc = json.NewEncoder(&sc.buf)
	return sc
}

// scratchEncoder and pooledDecoder are what the store calls on its
// pools' values. Calls through them, rather than on *jsonScratch and
// *jsonDecoder, keep encoding/json out of a module whose Codec is not
// JSONCodec (see jsonShortcuts).
type (
	scratchEncoder interface {
		// encodesTo reports whether v encodes to want, and whether
		// the scratch buffer is small enough to keep.
		encodesTo(v any, want []byte) (same, keep bool, err error)
	}
	pooledDecoder interface {
		decode(data []byte, v any) (reusable bool, err error)
	}
)

// encodesTo reports whether v encodes to want under JSONCodec.
func (sc *jsonScratch) encodesTo(v any, want []byte) (same, keep bool, err error) {
	sc.buf.Reset()
	if err := sc.enc.Encode(v); err != nil {
		return false, sc.buf.Cap() <= maxScratch, err
	}
	b := sc.buf.Bytes()
	return bytes.Equal(b[:len(b)-1], want), sc.buf.Cap() <= maxScratch, nil
}

// jsonDecoder decodes with JSONCodec's rules, reusing a json.Decoder's
// state (its scanner and decode state) across requests; json.Unmarshal
// allocates them anew, and scans the input twice.
type jsonDecoder struct {
	r   bytes.Reader
	dec *json.Decoder
}

func newJSONDecoder() any {
	d := &jsonDecoder{}
	d.dec = json.NewDecoder(&d.r)
	return d
}

// decode is json.Unmarshal(data, v), with the same outcome: the value
// must fill data, up to trailing white space. On error v may hold part
// of the data, which the store drops with the rest of the session. It
// reports whether the decoder may be used again: not after an error,
// which may leave input or a sticky error behind in it.
func (d *jsonDecoder) decode(data []byte, v any) (reusable bool, err error) {
	d.r.Reset(data)
	start := d.dec.InputOffset()
	if err := d.dec.Decode(v); err != nil {
		return false, err
	}
	for _, c := range data[d.dec.InputOffset()-start:] {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false, errors.New("cookiestore: JSON value followed by other data")
		}
	}
	// The Decoder's buffer holds the trailing white space, if any; it
	// would be read as the start of the next value, harmlessly, but
	// keep the decoder only when it consumed everything.
	return d.dec.InputOffset()-start == int64(len(data)), nil
}
