package crumb_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/internal/vectors"
)

// badNames are cookie names no sealer accepts: empty, over 255 bytes,
// or not an RFC 6265 token.
var badNames = map[string]string{
	"empty":     "",
	"256 bytes": strings.Repeat("a", 256),
	"space":     "a b",
	"non-ASCII": "é",
	"separator": "a;b",
	"control":   "a\x00b",
}

// TestOpenRefusesTheNamesSealRefuses: Seal and Open follow one name rule
// (FORMAT.md section 7, step 1), and refuse a bad name with the same
// error, whatever the value.
func TestOpenRefusesTheNamesSealRefuses(t *testing.T) {
	for _, sealer := range vectors.Sealers {
		s, err := vectors.NewSealer(sealer, ringText(t, sealer, true, 1), t0, randFor(sealer, 1))
		if err != nil {
			t.Fatal(err)
		}
		o := opener(t, sealer, []int{1}, t0+10, skew)
		good := sealWith(t, sealer, []int{1}, "sid", samplePayload, t0, t1, randFor(sealer, 1))
		for what, name := range badNames {
			t.Run(sealer+"/"+what, func(t *testing.T) {
				_, sealErr := s.Seal(name, samplePayload, unix(t1))
				if !errors.Is(sealErr, crumb.ErrWrongName) {
					t.Fatalf("Seal err = %v, want ErrWrongName", sealErr)
				}
				values := []string{good, "", strings.Repeat("A", 20000)}
				if sealer == vectors.Unsigned {
					// The unsigned sealer authenticates nothing: a value
					// whose name tag matches the bad name would open if
					// Open did not check the name itself.
					values = append(values, retag(t, good, name))
				}
				for _, v := range values {
					_, openErr := o.Open(name, v)
					if openErr == nil || openErr.Error() != sealErr.Error() {
						t.Errorf("Open err = %v, want Seal's %v", openErr, sealErr)
					}
				}
			})
		}
	}
}

// retag rewrites a value's name tag to that of name.
func retag(t *testing.T, v, name string) string {
	b := bytes.Clone(decodeValue(t, v))
	tag := fnv32a(name)
	b[5], b[6], b[7], b[8] = byte(tag>>24), byte(tag>>16), byte(tag>>8), byte(tag)
	return b64.EncodeToString(b)
}
