//go:build !linux

package rego

func cpuTime() (int64, bool) { return 0, false }
