package redisstore_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

// quiet drops go-redis's log lines (a failed dial per retry while a
// fault test has Redis down); the tests check the errors themselves.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

// sharedDir holds the files of the servers the benchmarks share; they
// are stopped, and the directory removed, when the run ends.
var sharedDir string

func TestMain(m *testing.M) {
	redis.SetLogger(quiet{})
	dir, err := os.MkdirTemp("", "redisstore-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sharedDir = dir
	code := m.Run()
	if bench.webdis != nil {
		bench.webdis.Stop()
	}
	if bench.redis != nil {
		bench.redis.Stop()
	}
	if bench.cluster != nil {
		bench.cluster.Stop()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}
