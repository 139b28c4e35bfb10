package rego

import (
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Capabilities returns the capabilities gates are compiled with: those of
// the linked OPA version without any builtin that does I/O or is not
// deterministic. Dropped are every builtin OPA marks Nondeterministic (except
// time.now_ns, which Evaluate fixes to GateInput.Now), and all of
// http.send, net.*, rand.*, uuid.* and opa.runtime. No network host is
// allowed. print and trace stay: their output is captured.
//
// A policy that calls a dropped builtin fails to compile ("undefined
// function") at the call's FILE:LINE:COL. The result is a fresh value each
// call; callers may modify it.
func Capabilities() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	c.Builtins = slices.DeleteFunc(c.Builtins, func(b *ast.Builtin) bool { return !allowed(b) })
	c.AllowNet = []string{}
	return c
}

// allowed reports whether a builtin may be called from a gate.
func allowed(b *ast.Builtin) bool {
	switch name := b.Name; {
	case name == "time.now_ns":
		return true
	case b.Nondeterministic, name == "http.send", name == "opa.runtime":
		return false
	case strings.HasPrefix(name, "net."), strings.HasPrefix(name, "rand."), strings.HasPrefix(name, "uuid."):
		return false
	}
	return true
}

// sandboxHint explains an "undefined function" error for a builtin that
// exists in OPA but is dropped from the gate sandbox.
func sandboxHint(msg string) string {
	name, ok := strings.CutPrefix(msg, "undefined function ")
	if !ok {
		return msg
	}
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		if b.Name == name && !allowed(b) {
			return msg + " (removed from the gate sandbox: no I/O, no nondeterminism)"
		}
	}
	return msg
}
