package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// tinyGoWork is where build -tinygo keeps what TinyGo's Go 1.23 needs,
// inside the project.
const tinyGoWork = ".crumb-edge-tinygo"

// tinyGoModfile prepares a build of the project in dir with TinyGo and
// returns the module file to pass as -modfile.
//
// TinyGo 0.34 runs Go 1.23's go command, which refuses crumb's go.mod
// (go 1.26.0) and the newest x/crypto and circl it requires. crumb
// ships go.tinygo.mod, its module file for TinyGo builds, pinned to what
// Go 1.23 accepts; a go command reads a dependency's module file only
// from the directory the dependency is replaced with, so this makes a
// directory whose go.mod is crumb's go.tinygo.mod and whose other
// entries are symbolic links to crumb's source, and a module file for
// the project that replaces crumb with it.
func tinyGoModfile(ctx context.Context, goCmd, dir string) (string, error) {
	cmd := exec.CommandContext(ctx, goCmd, "list", "-m", "-json", "github.com/crumbkit/crumb")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list -m github.com/crumbkit/crumb in %s: %v", dir, err)
	}
	var m struct {
		Dir     string
		Replace *struct{ Dir string }
	}
	if err := json.Unmarshal(out, &m); err != nil {
		return "", err
	}
	src := m.Dir
	if m.Replace != nil && m.Replace.Dir != "" {
		src = m.Replace.Dir
	}
	if src == "" {
		return "", errors.New("crumb's source is not in the module cache: run go mod download in " + dir)
	}
	if !filepath.IsAbs(src) {
		src = filepath.Join(dir, src)
	}
	tmod, err := os.ReadFile(filepath.Join(src, "go.tinygo.mod"))
	if err != nil {
		return "", fmt.Errorf("this crumb version has no go.tinygo.mod (%v): it predates TinyGo builds", err)
	}
	tsum, err := os.ReadFile(filepath.Join(src, "go.tinygo.sum"))
	if err != nil {
		return "", err
	}
	work, err := filepath.Abs(filepath.Join(dir, tinyGoWork))
	if err != nil {
		return "", err
	}
	if err := os.RemoveAll(work); err != nil {
		return "", err
	}
	overlay := filepath.Join(work, "crumb")
	if err := os.MkdirAll(overlay, 0o755); err != nil {
		return "", err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		switch e.Name() {
		case "go.mod", "go.sum", "go.tinygo.mod", "go.tinygo.sum", "node_modules", ".git":
			continue
		}
		if err := os.Symlink(filepath.Join(src, e.Name()), filepath.Join(overlay, e.Name())); err != nil {
			return "", err
		}
	}
	if err := os.WriteFile(filepath.Join(overlay, "go.mod"), tmod, 0o644); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(overlay, "go.sum"), tsum, 0o644); err != nil {
		return "", err
	}
	module, err := modulePath(filepath.Join(dir, "go.mod"))
	if err != nil {
		return "", err
	}
	modfile := filepath.Join(work, "go.mod")
	body := "// Written by crumb-edge build -tinygo: the project's module file for TinyGo.\nmodule " + module +
		"\n\ngo 1.23.0\n\nrequire github.com/crumbkit/crumb v0.0.0-00010101000000-000000000000\n\nreplace github.com/crumbkit/crumb => " + overlay + "\n"
	if err := os.WriteFile(modfile, []byte(body), 0o644); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(work, "go.sum"), tsum, 0o644); err != nil {
		return "", err
	}
	return modfile, nil
}

func modulePath(gomod string) (string, error) {
	b, err := os.ReadFile(gomod)
	if err != nil {
		return "", err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(strings.TrimSpace(l), "module "); ok {
			return strings.Trim(strings.TrimSpace(p), `"`), nil
		}
	}
	return "", errors.New(gomod + " has no module line")
}
