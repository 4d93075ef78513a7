#!/usr/bin/env bash
# Prints the size (raw and gzip -9) of crumb's edge artifacts built with
# TinyGo under each size flag worth trying, so the flags docs/edge.md
# recommends can be checked against the alternatives:
#
#   bash scripts/tinygo-sizes.sh            # tinygo from $TINYGO or PATH
#
# -opt=z (size) is TinyGo's default; -scheduler=none only builds code
# that starts no goroutine (the reactor); -panic=trap drops panic
# messages.
set -euo pipefail
cd "$(dirname "$0")/.."
tinygo=${TINYGO:-tinygo}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export GOFLAGS=-modfile=go.tinygo.mod
echo "$("$tinygo" version)"
printf '%-8s %-58s %10s %10s\n' artifact flags raw gzip-9
row() {
  local name=$1 pkg=$2; shift 2
  "$tinygo" build -o "$out/a.wasm" "$@" "$pkg"
  printf '%-8s %-58s %10d %10d\n' "$name" "$*" "$(stat -c %s "$out/a.wasm")" "$(gzip -9 -c "$out/a.wasm" | wc -c)"
}
gate="-target=wasm -no-debug -tags=crumb_nohttp,crumb_nojson"
for extra in "" "-panic=trap"; do
  # shellcheck disable=SC2086
  row gate ./examples/edge-gate $gate $extra
done
reactor="-target=wasip1 -buildmode=c-shared -no-debug"
for extra in "" "-scheduler=none" "-scheduler=none -panic=trap"; do
  # shellcheck disable=SC2086
  row reactor ./wasm/reactor $reactor $extra
done
