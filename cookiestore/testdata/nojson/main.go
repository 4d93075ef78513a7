// Command nojson is built by TestBuildTags with and without the
// crumb_nojson and crumb_nohttp tags: it uses the engine with a Codec
// of its own, as an edge module does, and reports whether New works
// without a Codec.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/crumbkit/crumb/cookiestore"
	"github.com/crumbkit/crumb/encrypted"
	"github.com/crumbkit/crumb/keys"
)

// lineCodec writes a record as three lines (ID, creation time, data)
// and refuses flashes: enough for the engine, with no reflection.
type lineCodec struct{}

func (lineCodec) Marshal(v any) ([]byte, error) {
	switch v := v.(type) {
	case *cookiestore.Raw:
		return append([]byte("r"), *v...), nil
	case *cookiestore.Envelope:
		if len(v.Flashes) > 0 {
			return nil, errors.New("no flashes")
		}
		return []byte(v.ID + "\n" + strconv.FormatInt(v.Created, 10) + "\n" + string(v.Data)), nil
	}
	return nil, errors.New("unsupported type")
}

func (lineCodec) Unmarshal(data []byte, v any) error {
	switch v := v.(type) {
	case *cookiestore.Raw:
		if len(data) == 0 || data[0] != 'r' {
			return errors.New("not raw data")
		}
		*v = append((*v)[:0], data[1:]...)
		return nil
	case *cookiestore.Envelope:
		parts := bytes.SplitN(data, []byte("\n"), 3)
		if len(parts) != 3 {
			return errors.New("not a record")
		}
		n, err := strconv.ParseInt(string(parts[1]), 10, 64)
		if err != nil {
			return err
		}
		*v = cookiestore.Envelope{ID: string(parts[0]), Created: n, Data: parts[2]}
		return nil
	}
	return errors.New("unsupported type")
}

func main() {
	ring, err := keys.GenerateRing(nil)
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	sealer := encrypted.New(ring)
	_, err = cookiestore.New(sealer, cookiestore.Options[cookiestore.Raw]{InsecureHTTP: true})
	fmt.Println("default codec:", err == nil, errors.Is(err, cookiestore.ErrConfig))

	st, err := cookiestore.New(sealer, cookiestore.Options[cookiestore.Raw]{InsecureHTTP: true, Codec: lineCodec{}})
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	ctx := context.Background()
	s, _ := st.LoadHeader(ctx, "")
	s.Data = cookiestore.Raw("hello")
	lines, err := st.Commit(ctx, s)
	if err != nil || len(lines) != 1 {
		fmt.Println("commit:", lines, err)
		os.Exit(1)
	}
	s, err = st.LoadHeader(ctx, strings.Split(lines[0], ";")[0])
	fmt.Println("round trip:", err, string(s.Data))
}
