//go:build race

package rego

func init() { raceEnabled = true }
