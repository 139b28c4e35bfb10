//go:build !linux

package rollout

func cpuTime() (int64, bool) { return 0, false }
