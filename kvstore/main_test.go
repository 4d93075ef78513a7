package kvstore_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crumbkit/crumb/internal/servicetest"
)

// Services shared by the tests of this binary: one Redis, one Webdis and
// one Upstash server, started on first use and stopped in TestMain.
// Fault tests that kill a component start their own.
var shared struct {
	dir string

	once    sync.Once
	redis   *servicetest.Redis
	webdis  *servicetest.Webdis
	err     error
	upOnce  sync.Once
	upstash *servicetest.Upstash
	upErr   error
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kvstore-services-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	shared.dir = dir
	code := m.Run()
	if shared.upstash != nil {
		shared.upstash.Stop()
	}
	if shared.webdis != nil {
		shared.webdis.Stop()
	}
	if shared.redis != nil {
		shared.redis.Stop()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// sharedWebdis returns the shared Redis and the Webdis in front of it.
func sharedWebdis(t testing.TB) (*servicetest.Redis, *servicetest.Webdis) {
	t.Helper()
	shared.once.Do(func() {
		shared.redis, shared.err = servicetest.LaunchRedis(shared.dir)
		if shared.err != nil {
			return
		}
		shared.webdis, shared.err = servicetest.LaunchWebdis(shared.dir, shared.redis.Addr, servicetest.WebdisConfig{})
	})
	if shared.err != nil {
		servicetest.Fail(t, shared.err)
	}
	return shared.redis, shared.webdis
}

// sharedUpstash returns the shared Upstash REST server, in front of the
// shared Redis.
func sharedUpstash(t testing.TB) *servicetest.Upstash {
	t.Helper()
	r, _ := sharedWebdis(t)
	nm := servicetest.NodeModules(t)
	shared.upOnce.Do(func() {
		shared.upstash, shared.upErr = servicetest.LaunchUpstash(shared.dir, nm, r.URL())
	})
	if shared.upErr != nil {
		servicetest.Fail(t, shared.upErr)
	}
	return shared.upstash
}

// redisDo sends one command to Redis over RESP and returns the reply:
// a string for status, bulk and integer replies, nil for a nil reply.
// Tests use it to look behind the HTTP store at what Redis holds.
func redisDo(t testing.TB, addr string, args ...string) any {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatalf("redis %s: %v", addr, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := io.WriteString(c, b.String()); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	line = strings.TrimSuffix(line, "\r\n")
	switch line[0] {
	case '+', ':':
		return line[1:]
	case '-':
		t.Fatalf("redis %v: %s", args, line[1:])
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			t.Fatal(err)
		}
		return string(buf[:n])
	}
	t.Fatalf("redis %v: unexpected reply %q", args, line)
	return nil
}
