package review

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoOPA: the package links neither OPA nor anything of policy/rego,
// natively or for js/wasm, so the playground can compare policies without
// the 30 MB that gates cost.
func TestNoOPA(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range [][]string{nil, {"GOOS=js", "GOARCH=wasm"}} {
		cmd := exec.Command(gobin, "list", "-deps", ".")
		cmd.Env = append(cmd.Environ(), env...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %v: %v", env, err)
		}
		for _, pkg := range strings.Fields(string(out)) {
			if strings.Contains(pkg, "open-policy-agent") || strings.HasSuffix(pkg, "/policy/rego") {
				t.Errorf("%v: review depends on %s", env, pkg)
			}
		}
	}
}
