//go:build !ringwise_editor || ringwise_gates

package main

// Simulates says whether this build registers simulate (see editor_on.go).
const Simulates = true
