//go:build !unix

package bench

// processCPU is not measured on this system; the table then falls back
// to wall-clock time.
func processCPU() int64 { return 0 }
