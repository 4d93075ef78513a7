package crumb_test

import (
	"strings"
	"testing"

	"github.com/crumbkit/crumb/internal/vectors"
)

// typicalAttrs are the attributes of a session cookie as most servers
// set it; the 4096-byte budget (RFC 6265 section 6.1's minimum, and
// what browsers enforce in practice) covers name, value and attributes.
const typicalAttrs = "; Path=/; Max-Age=86400; HttpOnly; Secure; SameSite=Lax"

// capacity is the largest payload that fits one 4096-byte Set-Cookie
// named "session" with typicalAttrs. docs/FORMAT.md quotes these
// numbers, and gorilla/securecookie's 2218 bytes measured the same way.
var capacity = map[string]int{
	vectors.Unsigned: 3007,
	vectors.HMAC:     2975,
	vectors.Ed448:    2893,
	vectors.Ed25519:  2943,
	vectors.AESGCM:   2967,
}

func TestCookieCapacity(t *testing.T) {
	budget := 4096 - len("session=") - len(typicalAttrs)
	for _, sealer := range vectors.Sealers {
		fits := func(n int) bool {
			p := []byte(`"` + strings.Repeat("x", n-2) + `"`)
			v := sealWith(t, sealer, []int{1}, "session", p, t0, t1, randFor(sealer, 1))
			return len(v) <= budget
		}
		n := capacity[sealer]
		if !fits(n) || fits(n+1) {
			t.Errorf("%s: largest payload in a 4096-byte Set-Cookie is not %d bytes", sealer, n)
		}
		t.Logf("%s: %d payload bytes fit in %d bytes of value", sealer, n, budget)
	}
}
