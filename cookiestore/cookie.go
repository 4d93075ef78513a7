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
}

// parseCookieHeader scans a Cookie header ("a=1; b=2") for the store's
// cookie and its chunks "name.1" to "name.(chunks-1)". Other cookies,
// including "name.N" for N >= chunks, are not the store's: it never
// reads nor expires them, so a store that does not chunk (chunks 1)
// shares the name.N names with anyone. The first occurrence of a name
// wins, as browsers send the most specific path first. It never fails:
// anything it cannot read is skipped.
func parseCookieHeader(header, name string, chunks int) incoming {
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
			if len(rest) != 2 || rest[0] != '.' || rest[1] < '1' || int(rest[1]-'0') >= chunks {
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
	}
	return in
}

// fullChunk is the length below which chunk i of a value cannot be
// followed by another chunk: Commit fills every chunk but the last to
// the 4096-byte line, whose Max-Age attribute takes at most as much as
// "; Max-Age=2147483647" (New checks there is room for it).
func (c *config[T]) fullChunk(i int) int {
	n := len(c.Name)
	if i > 0 {
		n += len(".1")
	}
	return MaxCookieLine - n - len("=") - len(c.attrs) - len("; Max-Age=2147483647")
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
// (possibly empty, several header values joined with ", "): the
// handler's value when it already keeps shared caches out (private or
// no-store), "private, no-store" otherwise. A response with someone's
// session cookie must never be stored by a shared cache and replayed to
// someone else. Also send "Vary: Cookie".
func CacheControl(existing string) string {
	if keepsSharedCachesOut(directives(existing)) {
		return existing
	}
	return "private, no-store"
}

// PrivateCacheControl returns the Cache-Control value for a response
// that used a session loaded from a cookie but carries no Set-Cookie,
// given the value the handler set (possibly empty): the handler's value
// when it already has private or no-store, otherwise "private" followed
// by the handler's directives without public and s-maxage. Such a
// response may show the session's data, so no shared cache may store
// it; the user's own browser may, as the handler allowed (max-age and
// the like are kept). Also send "Vary: Cookie".
func PrivateCacheControl(existing string) string {
	ds := directives(existing)
	if keepsSharedCachesOut(ds) {
		return existing
	}
	out := "private"
	for _, d := range ds {
		name, _, _ := strings.Cut(d, "=")
		if n := strings.ToLower(strings.TrimSpace(name)); n == "public" || n == "s-maxage" {
			continue
		}
		out += ", " + d
	}
	return out
}

// keepsSharedCachesOut reports whether the directives include private
// or no-store, without arguments: private="Set-Cookie" lets a shared
// cache store the rest of the response.
func keepsSharedCachesOut(ds []string) bool {
	for _, d := range ds {
		if strings.EqualFold(d, "private") || strings.EqualFold(d, "no-store") {
			return true
		}
	}
	return false
}

// directives splits a Cache-Control value at the commas outside quoted
// strings, so no-cache="a, private" is one directive rather than a
// private one. Empty items are dropped.
func directives(v string) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '"':
			quoted = !quoted
		case c == '\\' && quoted:
			i++ // the escaped character
		case c == ',' && !quoted:
			if d := strings.TrimSpace(v[start:i]); d != "" {
				out = append(out, d)
			}
			start = i + 1
		}
	}
	if d := strings.TrimSpace(v[start:]); d != "" {
		out = append(out, d)
	}
	return out
}
