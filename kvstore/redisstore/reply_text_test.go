package redisstore

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/crumbkit/crumb/kvstore"
	"github.com/redis/go-redis/v9"
)

// TestUnparsableReplyNotQuoted: go-redis quotes the reply it cannot
// parse in its error ("redis: invalid reply: ..."), and a reply can
// hold a session's record (its ID first of all). The store's error
// says what went wrong without that text.
func TestUnparsableReplyNotQuoted(t *testing.T) {
	const secret = "session-id-SECRET"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				for {
					if _, err := c.Read(buf); err != nil {
						return
					}
					// Not a RESP type byte: go-redis cannot parse it.
					if _, err := c.Write([]byte("X{\"i\":\"" + secret + "\"}\r\n")); err != nil {
						return
					}
				}
			}()
		}
	}()
	client := redis.NewClient(&redis.Options{Addr: ln.Addr().String(), ContextTimeoutEnabled: true, MaxRetries: -1, DialTimeout: time.Second})
	defer client.Close()
	s, err := New(Options{Client: client})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = s.Get(ctx, "k")
	var kerr *kvstore.Error
	if !errors.As(err, &kerr) {
		t.Fatalf("Get: %v, want a *kvstore.Error", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("error quotes the reply: %v", err)
	}
}
