#!/usr/bin/env bash
# Runs every crumb test on a fresh Debian machine: installs what is missing
# (Debian packages, npm packages, Go modules), then runs the Go tests with
# real services required. The tests themselves start Redis, Webdis, the
# Upstash REST server, workerd and Chromium on free loopback ports and stop
# them when they finish; nothing is left running.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

log() { printf '\n== %s\n' "$*"; }

# --- install -----------------------------------------------------------------
need_apt=()
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v redis-cli >/dev/null || need_apt+=(redis-tools)   # redis-cli --cluster create
command -v webdis >/dev/null || need_apt+=(webdis)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v node >/dev/null || need_apt+=(nodejs)
command -v npm >/dev/null || need_apt+=(npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
# The Upstash server needs Node 18.18 or later and playwright-core declares
# Node 20, which CI uses; Debian 12's own nodejs is 18.
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 18 ]; then
  echo "Node $node_major is too old for the test components; install Node 20" >&2
  exit 1
elif [ "$node_major" -lt 20 ]; then
  echo "warning: Node $node_major is older than playwright-core's declared Node 20" >&2
fi
if [ ! -x node_modules/@cloudflare/workerd-linux-64/bin/workerd ] ||
   [ ! -d node_modules/playwright-core ] ||
   [ ! -d node_modules/@humanwhocodes/upstash-redis-server ] ||
   [ ! -d node_modules/miniflare ] || [ ! -d node_modules/wrangler ] ||
   [ ! -d node_modules/dynalite ]; then
  log "npm install (workerd, miniflare, wrangler, playwright-core, upstash-redis-server, dynalite)"
  # npm ci refuses this lock file (npm 11 wants the other platforms' optional
  # workerd binaries listed); --no-save installs from it without rewriting it.
  npm install --no-audit --no-fund --no-save --loglevel=error
fi
log "go mod download"
go mod download
# The older supported Go release, for the unit-test run below; go fetches it
# through the module proxy when it is missing.
go125=go1.25.5
GOTOOLCHAIN=$go125 go version
(cd bench && go mod download)
(cd bench/lambdaproxy && go mod download)
# The AWS SDK's nested modules, before any test builds the Lambda example.
(cd kvstore/dynamostore && go mod download)
(cd examples/lambda && go mod download)

# --- TinyGo (the edge builds' second compiler) ----------------------------------
# tinygo from $TINYGO, else from PATH when it is the tested version, else
# the copy cached outside the repository, else built from a TinyGo source
# kit (a folder with build-tinygo.sh and sources/) named by
# $CRUMB_TINYGO_KIT into that cache. Tests find it through $CRUMB_TINYGO.
tinygo_want=0.34.0-dev
tinygo_cache=${XDG_CACHE_HOME:-$HOME/.cache}/crumb/tinygo-$tinygo_want
tinygo_ok() { "$1" version 2>/dev/null | grep -q "^tinygo version $tinygo_want"; }
tinygo_bin=${TINYGO:-}
if [ -z "$tinygo_bin" ] && command -v tinygo >/dev/null && tinygo_ok tinygo; then
  tinygo_bin=$(command -v tinygo)
fi
if [ -z "$tinygo_bin" ] && tinygo_ok "$tinygo_cache/bin/tinygo"; then
  tinygo_bin=$tinygo_cache/bin/tinygo
fi
if [ -z "$tinygo_bin" ] && [ -n "${CRUMB_TINYGO_KIT:-}" ]; then
  log "build TinyGo $tinygo_want from the kit in $CRUMB_TINYGO_KIT into $tinygo_cache (about 3 minutes)"
  mkdir -p "$(dirname "$tinygo_cache")"
  bash "$CRUMB_TINYGO_KIT/build-tinygo.sh" "$CRUMB_TINYGO_KIT/sources" "$tinygo_cache"
  tinygo_ok "$tinygo_cache/bin/tinygo" && tinygo_bin=$tinygo_cache/bin/tinygo
fi
if [ -z "$tinygo_bin" ]; then
  cat >&2 <<'MSG'
TinyGo 0.34.0-dev is missing. Either put it on PATH (or set TINYGO to it), or
set CRUMB_TINYGO_KIT to a TinyGo source kit folder (build-tinygo.sh and
sources/) and this script builds it into ~/.cache/crumb. TinyGo needs
LLVM 16 (Debian: llvm-16-dev libclang-16-dev lld-16 libclang-rt-16-dev-wasm32
binaryen) and Go 1.23; see https://tinygo.org/getting-started/install/.
MSG
  exit 1
fi
export CRUMB_TINYGO=$tinygo_bin
echo "TinyGo: $("$CRUMB_TINYGO" version)"
# One directory per run keeps TinyGo artifacts (tens of seconds each) that
# several test binaries need; keyed by sources and flags, removed at exit.
CRUMB_BUILD_CACHE=$(mktemp -d)
export CRUMB_BUILD_CACHE
trap 'rm -rf "$CRUMB_BUILD_CACHE"' EXIT
go mod download -modfile=go.tinygo.mod   # the side module file TinyGo builds use

export CRUMB_REQUIRE_SERVICES=1   # under this script a missing service is a failure, not a skip
export CRUMB_NODE_MODULES="$root/node_modules"

# --- tests --------------------------------------------------------------------
log "go vet ./... (host, js/wasm, wasip1/wasm: the edge packages build only there)"
go vet ./...
GOOS=js GOARCH=wasm go vet ./wasm/... ./examples/edge-gate/...
# the edge builds as documented: crumb_nohttp leaves net/http out of kvstore and cookiestore
GOOS=js GOARCH=wasm go build -tags crumb_nohttp,crumb_nojson ./wasm/gate ./wasm/kvbinding \
  ./examples/edge-gate ./examples/edge-gate/ed448gate ./examples/edge-gate/kvgate
GOOS=wasip1 GOARCH=wasm go vet ./wasm/reactor

log "go test -race ./..."
go test -race -count=1 -timeout 20m ./...

# crumb supports the two latest Go releases: the unit tests again under the
# older one. -short and no -race keep this lean; services are optional here
# (a missing one skips), the run above already required them.
log "go test -short ./... under $go125"
CRUMB_REQUIRE_SERVICES= GOTOOLCHAIN=$go125 go test -short -count=1 -timeout 10m ./...

# figures PATTERN PACKAGES... reruns tests without -race (the race run above
# skews timings) and prints the figure lines they log; on a failure it
# prints the whole output, so the log says why.
figures() {
  local pattern=$1; shift
  local out; out=$(mktemp)
  if ! go test -count=1 -v "$@" >"$out" 2>&1; then
    cat "$out"; rm -f "$out"; return 1
  fi
  grep -E "$pattern" "$out"; rm -f "$out"
}

log "edge figures: artifact sizes (raw, gzip -9) and workerd latencies"
figures '^crumb .*figures:|^  [^ ]|^ok' ./wasm/ ./examples/edge-gate/

# --- nested modules with the AWS SDK: kvstore/dynamostore, examples/lambda ----
# Each has its own go.mod, so the SDK never enters crumb's; `go test ./...`
# above does not reach them.
log "dynamostore: the AWS SDK stays out of the main module, the edge builds and the cookie-only packages"
if go list -m all | grep -q '^github.com/aws/aws-sdk-go-v2' ||
   go list -deps ./... | grep -q '^github.com/aws/aws-sdk-go-v2' ||
   GOOS=js GOARCH=wasm go list -deps ./wasm/... ./examples/edge-gate/... | grep -q '^github.com/aws/aws-sdk-go-v2'; then
  echo "github.com/aws/aws-sdk-go-v2 is in the main module's build graph" >&2
  exit 1
fi
log "kvstore/dynamostore (own module): vet, tests against dynalite"
(cd kvstore/dynamostore && go vet ./... && go test -race -count=1 ./...)
log "examples/lambda (own module): vet (with and without the DynamoDB store), unit tests"
(cd examples/lambda && go vet ./... && go vet -tags crumb_nodynamodb ./... && go test -race -count=1 -short ./...)

log "lambda figures: end-to-end (cookie and DynamoDB sessions, front door, Chromium through the edge gate in workerd: TestEndToEndChain), cold start, warm invoke, bootstrap and zip sizes"
(cd examples/lambda && figures 'figures:|^ok' -timeout 30m -run 'TestEndToEnd|TestFrontDoor|TestColdStartFigures|TestBootstrapSizes' .)

log "fuzz targets, briefly"
bash scripts/fuzz.sh 100000x

log "bench module tests"
(cd bench && go vet ./... && go test -count=1 -skip TestEdgeLatency ./...)

log "edge latency: the TinyGo, stock Go and JavaScript gates in one workerd run"
(cd bench && figures '^crumb .*figures:|^  [^ ]|^ok' -run TestEdgeLatency ./edgegate)

log "lambda comparison module (aws-lambda-go-api-proxy stays out of our go.mod)"
(cd bench/lambdaproxy && go vet ./... && go test -count=1 ./...)

log "benchmark table (one run; ratios against gorilla, reported, never asserted)"
(cd bench && go run ./cmd/benchtable -q -count 3)

# --- kvstore/redisstore: a nested module, so go-redis stays out of crumb's ---
log "redisstore: go-redis stays out of the main module, the edge builds and the cookie-only packages"
if go list -m all | grep -q '^github.com/redis/go-redis' ||
   go list -deps ./... | grep -q '^github.com/redis/go-redis' ||
   GOOS=js GOARCH=wasm go list -deps ./wasm/... ./examples/edge-gate/... | grep -q '^github.com/redis/go-redis'; then
  echo "github.com/redis/go-redis is in the main module's build graph" >&2
  exit 1
fi
(cd kvstore/redisstore && go mod download)
log "redisstore module tests (redis-server: single node, ACL user, three-master cluster with a primary killed)"
(cd kvstore/redisstore && go vet ./... && go test -race -count=1 ./...)

log "all tests passed"
