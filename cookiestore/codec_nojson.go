//go:build crumb_nojson

package cookiestore

import "errors"

// defaultCodec: built with crumb_nojson there is no default Codec, so
// that nothing converts JSONCodec to a Codec and encoding/json is not
// linked unless the program names JSONCodec itself. New then requires
// Options.Codec.
func defaultCodec() (Codec, bool) { return noCodec{}, false }

// errNoCodec is what a Session's flash methods get when the Session
// did not come from a Store (which always has a Codec).
var errNoCodec = errors.New("cookiestore: no Codec (built with crumb_nojson)")

type noCodec struct{}

func (noCodec) Marshal(any) ([]byte, error) { return nil, errNoCodec }
func (noCodec) Unmarshal([]byte, any) error { return errNoCodec }
