//go:build !unix

package simulate

func cpuTime() (int64, bool) { return 0, false }
