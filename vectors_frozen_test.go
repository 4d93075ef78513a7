package crumb_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// frozenManifest lists the SHA-256 of every vector file, in sha256sum's
// format. The files are format v1's reference: values they hold must
// open in every later release, so none of them may ever change. A new
// vector file is allowed once its hash is added here
// (cd testdata/vectors && sha256sum FILE >> SHA256SUMS).
const frozenManifest = "testdata/vectors/SHA256SUMS"

func TestVectorsFrozen(t *testing.T) {
	f, err := os.Open(frozenManifest)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 {
			t.Fatalf("%s: malformed line %q", frozenManifest, line)
		}
		want[name] = sum
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Fatalf("%s lists no files", frozenManifest)
	}
	for name, sum := range want {
		b, err := os.ReadFile(filepath.Join(vectorDir, filepath.FromSlash(name)))
		if err != nil {
			t.Errorf("%s is listed in %s but cannot be read: %v", name, frozenManifest, err)
			continue
		}
		h := sha256.Sum256(b)
		if got := hex.EncodeToString(h[:]); got != sum {
			t.Errorf("%s changed (sha256 %s, frozen %s): vectors are the format's reference and never change; add new vectors in a new file", name, got, sum)
		}
	}
	// Every vector file must be listed, so none escapes the freeze.
	err = filepath.WalkDir(vectorDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".json" {
			return err
		}
		rel, err := filepath.Rel(vectorDir, path)
		if err != nil {
			return err
		}
		if _, ok := want[filepath.ToSlash(rel)]; !ok {
			t.Errorf("%s is not in %s: add its sha256 there", filepath.ToSlash(rel), frozenManifest)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
