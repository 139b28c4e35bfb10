//go:build ringwise_editor && !ringwise_gates

package main

// Simulates says whether this build registers simulate. The page's first
// module (-tags ringwise_editor) does not: it checks, formats and plans as
// you type, and leaving the simulator out keeps about 120 KB (brotli) off
// the first load. The simulation worker loads the module built without
// the tag.
const Simulates = false
