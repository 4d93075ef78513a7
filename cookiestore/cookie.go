package cookiestore

import (
	"strconv"
	"strings"
	"time"
)

// chunkName is the cookie name of chunk i: the name itself for chunk 0,
// "name.i" after it.
func chunkName(name string, i int) string {
	if i == 0 {
		return name
	}
	return name + "." + strconv.Itoa(i)
}

// sealName is the name a value split into n chunks is sealed under.
// Binding n into the sealed name authenticates the chunk count: a value
// with a chunk dropped or added opens under the wrong name and fails.
// The sealed length does not depend on the name, which is what lets
// Commit pick n from a first seal under the plain name.
func sealName(name string, n int) string {
	if n <= 1 {
		return name
	}
	return name + "#" + strconv.Itoa(n)
}

// parseCookieHeader reads a chunk index as one digit, and incoming keeps
// the indexes seen in a uint16: this fails to compile if MaxChunksLimit
// outgrows either.
const _ uint = 10 - MaxChunksLimit

// incoming is what a Cookie header holds for one store.
type incoming struct {
	chunks [MaxChunksLimit]string
	seen   uint16 // bit i: chunk i (the cookie itself for 0) is present
	total  int    // bytes of all values
}

// parseCookieHeader scans a Cookie header ("a=1; b=2") for the store's
// cookie and its chunks. The first occurrence of a name wins, as
// browsers send the most specific path first. It never fails: anything
// it cannot read is skipped.
func parseCookieHeader(header, name string) incoming {
	var in incoming
	for len(header) > 0 {
		var part string
		if i := strings.IndexByte(header, ';'); i >= 0 {
			part, header = header[:i], header[i+1:]
		} else {
			part, header = header, ""
		}
		part = strings.TrimSpace(part)
		eq := strings.IndexByte(part, '=')
		if eq <= 0 || !strings.HasPrefix(part, name) {
			continue
		}
		k, v := part[:eq], part[eq+1:]
		idx := 0
		if len(k) != len(name) {
			// Only "name.1" to "name.7": "name.01" is not chunk 1.
			rest := k[len(name):]
			if len(rest) != 2 || rest[0] != '.' || rest[1] < '1' || rest[1] >= '0'+MaxChunksLimit {
				continue
			}
			idx = int(rest[1] - '0')
		}
		if in.seen&(1<<idx) != 0 {
			continue
		}
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		in.seen |= 1 << idx
		in.chunks[idx] = v
		in.total += len(v)
	}
	return in
}

// maxAgeAttr is the Max-Age attribute for a cookie that should live
// until expires.
func maxAgeAttr(now, expires time.Time) string {
	secs := int64(expires.Sub(now) / time.Second)
	if secs < 1 {
		secs = 1
	}
	return "; Max-Age=" + strconv.FormatInt(secs, 10)
}

// CacheControl returns the Cache-Control value a response carrying a
// session Set-Cookie should have, given the value the handler set
// (possibly empty): the handler's value when it already keeps shared
// caches out (private or no-store), "private, no-store" otherwise. A
// response with someone's session cookie must never be stored by a
// shared cache and replayed to someone else. Also send "Vary: Cookie".
func CacheControl(existing string) string {
	for _, d := range strings.Split(existing, ",") {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "private" || d == "no-store" {
			return existing
		}
	}
	return "private, no-store"
}
