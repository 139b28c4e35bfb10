//go:build !linux

package simulate

func cpuTime() (int64, bool) { return 0, false }

func peakRSS() (int64, bool) { return 0, false }
