package bench

import "testing"

// CPUMetric is the unit WithCPUTime reports.
const CPUMetric = "cpu-ns/op"

// WithCPUTime wraps a benchmark so that it also reports the process CPU
// time per operation (user and system, every thread, so garbage
// collection work counts). On a machine shared with other work, wall
// time per op grows with the load while CPU time per op barely moves,
// so ratios taken from CPU time compare subjects fairly even when they
// were not measured at the same moment.
func WithCPUTime(f func(*testing.B)) func(*testing.B) {
	return func(b *testing.B) {
		start := processCPU()
		f(b)
		if end := processCPU(); start > 0 && end > start && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), CPUMetric)
		}
	}
}
