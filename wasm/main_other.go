//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "ringwise/wasm: build with GOOS=js GOARCH=wasm (see wasm/README.md and wasm/build.sh)")
	os.Exit(2)
}
