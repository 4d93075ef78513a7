package servicetest_test

import (
	"testing"
	"time"

	"github.com/crumbkit/crumb/internal/servicetest"
)

// TestRedisClusterKillAndRestart: a killed node turns the cluster down,
// and restarting it brings the cluster back, in seconds.
func TestRedisClusterKillAndRestart(t *testing.T) {
	start := time.Now()
	c := servicetest.StartRedisCluster(t)
	t.Logf("cluster %v up in %v", c.Addrs(), time.Since(start))
	c.Nodes[1].Kill()
	if err := c.WaitState(c.Nodes[0].Addr, "fail", 20*time.Second); err != nil {
		t.Fatal(err)
	}
	t.Logf("fail after %v", time.Since(start))
	if err := c.Nodes[1].Restart(); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitHealthy(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	t.Logf("healthy after %v", time.Since(start))
}
