#!/usr/bin/env bash
# Builds the browser playground: wasm/web/ringwise.wasm and, next to it,
# the Go runtime's wasm_exec.js (both gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" -o wasm/web/ringwise.wasm ./wasm
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" wasm/web/wasm_exec.js
echo "built wasm/web/ringwise.wasm ($(wc -c <wasm/web/ringwise.wasm) bytes)"
