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
type wireRecord struct {
	ID      string           `json:"i"`
	Created int64            `json:"c"`
	Data    Raw              `json:"d"`
	Flashes map[string][]Raw `json:"f,omitempty"`
}
