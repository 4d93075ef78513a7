package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestBootstrapSizes builds the bootstrap exactly as docs/lambda.md
// deploys it, without the DynamoDB session store (-tags
// crumb_nodynamodb) for both Lambda architectures and with it (the
// default) for arm64,
// zips it as the docs do, and logs the sizes the docs quote
// (cd examples/lambda && go test -v -run TestBootstrapSizes .). Every
// build must succeed; the sizes are reported, not asserted.
func TestBootstrapSizes(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles the bootstrap three times")
	}
	zipPath, zipErr := exec.LookPath("zip")
	// The AWS SDK takes long to compile, so the build with the store is
	// measured for arm64 only, the architecture docs/lambda.md
	// recommends; the difference is much the same on amd64.
	builds := []struct{ arch, name, tags, label string }{
		{"arm64", "dynamodb", "lambda.norpc", "with the DynamoDB store"},
		{"arm64", "cookie-only", "lambda.norpc,crumb_nodynamodb", "without the DynamoDB store (-tags crumb_nodynamodb)"},
		{"amd64", "cookie-only", "lambda.norpc,crumb_nodynamodb", "without the DynamoDB store (-tags crumb_nodynamodb)"},
	}
	for _, b := range builds {
		t.Run(b.arch+"/"+b.name, func(t *testing.T) { buildAndZip(t, zipPath, zipErr, b.arch, b.tags, b.label) })
	}
}

// buildAndZip builds the bootstrap for linux/arch with tags, zips it
// with zip -9 and logs both sizes.
func buildAndZip(t *testing.T, zipPath string, zipErr error, arch, tags, label string) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bootstrap")
	// The command in docs/lambda.md's Build section, -o aside.
	build := exec.Command("go", "build", "-tags", tags, "-trimpath", "-ldflags=-s -w", "-o", bin, ".")
	build.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build for linux/%s: %v\n%s", arch, err, out)
	}
	fi, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	if zipErr != nil {
		t.Logf("figures: linux/%s bootstrap %s: %d bytes; function.zip not measured: zip is not installed", arch, label, fi.Size())
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
	t.Logf("figures: linux/%s bootstrap %s: %d bytes, function.zip (zip -9) %d bytes", arch, label, fi.Size(), zi.Size())
}
