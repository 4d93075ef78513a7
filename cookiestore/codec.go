package cookiestore

import (
	"encoding/json"
	"errors"
)

// Codec encodes session data and flash values to bytes and back. The
// record around them (session ID, creation time, flashes) is encoded
// with the same Codec; byte slices in it are Raw values, which JSON
// writes inline and other codecs write as byte strings.
type Codec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// JSONCodec is the default Codec: encoding/json.
type JSONCodec struct{}

func (JSONCodec) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (JSONCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

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

// wireRecord is the record as the Codec sees it. Short keys keep the
// cookie small.
//
// The field order matters: with the data last, a record without
// flashes reads as {"i":"<id>","c":<unix>,"d":<data>}, which
// parseJSONRecord splits without a reflective decode.
type wireRecord struct {
	ID      string           `json:"i"`
	Created int64            `json:"c"`
	Flashes map[string][]Raw `json:"f,omitempty"`
	Data    Raw              `json:"d"`
}

// parseJSONRecord is the fast path for the common record, one without
// flashes, as json.Marshal writes it. It reports false for anything
// else, which then goes through the Codec. It does not validate the
// data: the Codec's decode of it does, and trailing bytes after the
// data make that fail.
func parseJSONRecord(b []byte, w *wireRecord) bool {
	const head, mid, tail = `{"i":"`, `","c":`, `,"d":`
	if len(b) < len(head)+idText+len(mid)+1+len(tail)+2 || string(b[:len(head)]) != head {
		return false
	}
	b = b[len(head):]
	for _, c := range b[:idText] {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	id := b[:idText]
	b = b[idText:]
	if string(b[:len(mid)]) != mid {
		return false
	}
	b = b[len(mid):]
	var n int64
	i := 0
	for ; i < len(b) && i < 12 && b[i] >= '0' && b[i] <= '9'; i++ {
		n = n*10 + int64(b[i]-'0')
	}
	if i == 0 || i == 12 || len(b)-i < len(tail)+2 || string(b[i:i+len(tail)]) != tail || b[len(b)-1] != '}' {
		return false
	}
	w.ID = string(id)
	w.Created = n
	w.Data = b[i+len(tail) : len(b)-1]
	return true
}
