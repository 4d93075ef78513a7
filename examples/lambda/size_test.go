package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestBootstrapSizes builds the bootstrap exactly as docs/lambda.md
// deploys it, for both Lambda architectures, zips it as the docs do, and
// logs the sizes the docs quote (go test -v -run TestBootstrapSizes
// ./examples/lambda). The build must succeed for both; the sizes are
// reported, not asserted.
func TestBootstrapSizes(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles the bootstrap twice")
	}
	zipPath, zipErr := exec.LookPath("zip")
	for _, arch := range []string{"arm64", "amd64"} {
		t.Run(arch, func(t *testing.T) {
			dir := t.TempDir()
			bin := filepath.Join(dir, "bootstrap")
			// The command in docs/lambda.md's Build section, -o aside.
			build := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", bin, ".")
			build.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0")
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("go build for linux/%s: %v\n%s", arch, err, out)
			}
			fi, err := os.Stat(bin)
			if err != nil {
				t.Fatal(err)
			}
			if zipErr != nil {
				t.Logf("figures: linux/%s bootstrap %d bytes; function.zip not measured: zip is not installed", arch, fi.Size())
				return
			}
			zip := exec.Command(zipPath, "-q", "-9", "function.zip", "bootstrap")
			zip.Dir = dir
			if out, err := zip.CombinedOutput(); err != nil {
				t.Fatalf("zip: %v\n%s", err, out)
			}
			zi, err := os.Stat(filepath.Join(dir, "function.zip"))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("figures: linux/%s bootstrap %d bytes, function.zip (zip -9) %d bytes", arch, fi.Size(), zi.Size())
		})
	}
}
