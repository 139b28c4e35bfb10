//go:build js

package simulate

// DefaultMemoryBudget is the memory budget of New when no
// WithMemoryBudget is given: 1 GiB under js/wasm, whose linear memory
// ends at 4 GiB and whose garbage collector needs room beside the live
// heap; 8 GiB elsewhere.
const DefaultMemoryBudget = 1 << 30
