package headerfield

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

var names = []string{
	"X-Echo", "x-lower", "Set-Cookie", "A!#$%&'*+-.^_`|~9", "", "Bad Name", "X:Colon", "X-Bad\r\nInjected",
	"Ünicode", "tab\tname", "quote\"d", "(paren)", "nul\x00", "del\x7f", "semi;colon", "a/b", "x=y", "@at",
}

var values = []string{
	"plain", "a\r\nSet-Cookie: evil=1", "  padded \t", "\r\nleading", "trailing\n", "mid\rdle", "mid\ndle",
	"", "\t", "comma, kept", "nul\x00kept", "ünïcode",
}

// TestMatchesNetHTTP writes every name and value through a real
// net/http server and reads the raw response: what net/http sends is
// exactly what ValidName and CleanValue keep.
func TestMatchesNetHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i, n := range names {
			for j, v := range values {
				// One field per name; the value index makes each line
				// findable in the raw response.
				w.Header()[n] = append(w.Header()[n], string(rune('A'+i))+string(rune('a'+j))+":"+v)
			}
		}
	}))
	defer srv.Close()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	raw, err := io.ReadAll(bufio.NewReader(c))
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(raw), "\r\n\r\n")
	sent := map[string]bool{}
	for _, line := range strings.Split(head, "\r\n")[1:] {
		sent[line] = true
	}
	for i, n := range names {
		for j, v := range values {
			line := n + ": " + CleanValue(string(rune('A'+i))+string(rune('a'+j))+":"+v)
			if got, want := sent[line], ValidName(n); got != want {
				t.Errorf("name %q value %q: net/http sent %q: %v; ValidName %v", n, v, line, got, want)
			}
		}
	}
}

func TestCleanValue(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"a\r\nSet-Cookie: evil=1", "a  Set-Cookie: evil=1"},
		{"  padded \t", "padded"},
		{"\r\n", ""},
		{"ok", "ok"},
	} {
		if got := CleanValue(c.in); got != c.want {
			t.Errorf("CleanValue(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
