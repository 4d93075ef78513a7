package servicetest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// RedisCluster is a Redis Cluster of three masters without replicas,
// on free loopback ports, for tests: each node a Redis that Kill and
// Restart take down and bring back on the same ports. A restarted node
// keeps its cluster identity and slots (its nodes.conf) but starts
// empty, like the single Redis.
type RedisCluster struct {
	Nodes []*Redis
	cli   string
}

// Addrs returns the nodes' host:port addresses, the seed list a cluster
// client takes.
func (c *RedisCluster) Addrs() []string {
	a := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		a[i] = n.Addr
	}
	return a
}

// clusterNodeTimeout is cluster-node-timeout: how long a node may be
// silent before the others mark it failed. Short, so a killed node turns
// the cluster down (and a restarted one up) in about a second.
const clusterNodeTimeout = "1000"

// LaunchRedisCluster starts three cluster-enabled redis-servers with
// their files under dir and joins them with redis-cli --cluster create.
// The caller must call Stop. It wraps ErrMissing when redis-server or
// redis-cli is not installed.
func LaunchRedisCluster(dir string) (*RedisCluster, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redis-server not found on PATH (install with: apt-get install -y redis-server): %w", ErrMissing)
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		return nil, fmt.Errorf("redis-cli not found on PATH (install with: apt-get install -y redis-tools): %w", ErrMissing)
	}
	c := &RedisCluster{cli: cli}
	for i := 0; i < 3; i++ {
		n, err := launchClusterNode(bin, filepath.Join(dir, "node"+strconv.Itoa(i)))
		if err != nil {
			c.Stop()
			return nil, err
		}
		c.Nodes = append(c.Nodes, n)
	}
	args := append([]string{"--cluster", "create"}, c.Addrs()...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		c.Stop()
		return nil, fmt.Errorf("redis-cli --cluster create: %v\n%s", err, out)
	}
	if err := c.WaitHealthy(30 * time.Second); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

// launchClusterNode starts one node with its own directory (for its log
// and nodes.conf) and explicit client and bus ports, both free.
func launchClusterNode(bin, dir string) (*Redis, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		bus, err := freePort()
		if err != nil {
			return nil, err
		}
		r := &Redis{Addr: "127.0.0.1:" + strconv.Itoa(port), Port: port, bin: bin, dir: dir, args: []string{
			"--cluster-enabled", "yes",
			"--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", clusterNodeTimeout,
			"--cluster-port", strconv.Itoa(bus),
		}}
		if lastErr = r.start(); lastErr == nil {
			return r, nil
		}
	}
	return nil, lastErr
}

// StartRedisCluster starts a three-master cluster for the test and
// stops it when the test ends. A missing redis-server or redis-cli
// skips the test, or fails it under CRUMB_REQUIRE_SERVICES=1.
func StartRedisCluster(t testing.TB) *RedisCluster {
	t.Helper()
	c, err := LaunchRedisCluster(t.TempDir())
	if err != nil {
		Fail(t, err)
	}
	t.Cleanup(c.Stop)
	return c
}

// WaitHealthy waits until every node that is running reports
// cluster_state:ok, as after a killed node has been restarted.
func (c *RedisCluster) WaitHealthy(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		bad := ""
		for _, n := range c.Nodes {
			out, err := exec.Command(c.cli, "-h", "127.0.0.1", "-p", strconv.Itoa(n.Port), "cluster", "info").Output()
			if err != nil || !bytes.Contains(out, []byte("cluster_state:ok")) {
				bad = n.Addr
				break
			}
		}
		if bad == "" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis cluster not healthy after %v: node %s; its log:\n%s", timeout, bad, c.logOf(bad))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// WaitState waits until the node at addr reports cluster_state:state
// ("ok" or "fail").
func (c *RedisCluster) WaitState(addr, state string, timeout time.Duration) error {
	_, port, _ := strings.Cut(addr, ":")
	deadline := time.Now().Add(timeout)
	for {
		out, _ := exec.Command(c.cli, "-h", "127.0.0.1", "-p", port, "cluster", "info").Output()
		if bytes.Contains(out, []byte("cluster_state:"+state)) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis cluster node %s not in state %q after %v", addr, state, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (c *RedisCluster) logOf(addr string) string {
	for _, n := range c.Nodes {
		if n.Addr == addr {
			return n.Log()
		}
	}
	return ""
}

// Stop kills every node; it is safe to call more than once.
func (c *RedisCluster) Stop() {
	for _, n := range c.Nodes {
		n.Stop()
	}
}
