#!/usr/bin/env bash
# Runs every Fuzz* target in the module briefly.
# Usage: scripts/fuzz.sh [budget]   (default 100000x: executions, not time)
#
# The budget is a count on purpose: with a duration, Go 1.26's fuzzing
# coordinator can fail a target with a bare "context deadline exceeded"
# at the deadline, having found nothing (go.dev/issue/75804, fixed in
# Go 1.27). A count never races a deadline.
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-100000x}
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "fuzz $pkg $f ($dur)"
    go test -run='^$' -fuzz="^${f}\$" -fuzztime="$dur" "$pkg"
  done
done
