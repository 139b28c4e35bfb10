#!/usr/bin/env bash
# Builds the browser playground into wasm/dist/ (gitignored): a static site
# that any static host can serve, with content-hashed assets and their
# precompressed .br and .gz next to them (go run ./wasm/serve serves them
# with Content-Encoding). Steps:
#   npm ci           when node_modules is missing or older than the lockfile
#   go build         ringwise.wasm (check, format, plan: the first load),
#                    ringwise-sim.wasm (and simulate: the worker's, fetched
#                    once the page is ready) and ringwise-gates.wasm (and
#                    Rego gates with OPA, and review: loaded for gate blocks
#                    and compare mode)
#   node build.mjs   esbuild bundle, hashing, precompression
# RINGWISE_WASM_OPT=1 tries wasm-opt (see build.mjs: it does not pay today).
set -euo pipefail
cd "$(dirname "$0")"
command -v node >/dev/null || { echo "wasm/build.sh: node is not installed (Debian: apt-get install nodejs npm)" >&2; exit 1; }
if ! cmp -s package-lock.json node_modules/.ringwise-lock 2>/dev/null; then
  command -v npm >/dev/null || { echo "wasm/build.sh: npm is not installed (Debian: apt-get install npm)" >&2; exit 1; }
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.ringwise-lock
fi
mkdir -p .build
export GOOS=js GOARCH=wasm
go build -trimpath -ldflags="-s -w" -tags ringwise_editor -o .build/ringwise.wasm .
go build -trimpath -ldflags="-s -w" -o .build/ringwise-sim.wasm .
go build -trimpath -ldflags="-s -w" -tags ringwise_gates -o .build/ringwise-gates.wasm .
unset GOOS GOARCH
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" .build/wasm_exec.js
node build.mjs
