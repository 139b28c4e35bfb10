package rego

import (
	"cmp"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// Every builtin of the linked OPA version has a verdict, and every verdict
// names a builtin: upgrading OPA fails here until its new builtins are
// audited. Removed builtins are out of the capabilities, the others in,
// and every wrapped one has an implementation to wrap.
func TestSandboxCoversEveryBuiltin(t *testing.T) {
	all := map[string]*ast.Builtin{}
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		all[b.Name] = b
		r, ok := sandbox[b.Name]
		if !ok {
			t.Errorf("builtin %s is not audited: add it to the sandbox table", b.Name)
			continue
		}
		if r.class == wrapped && (b.Relation || topdown.GetBuiltin(b.Name) == nil) {
			t.Errorf("builtin %s cannot be wrapped (a relation, or no implementation)", b.Name)
		}
		if r.why == "" {
			t.Errorf("builtin %s: no reason", b.Name)
		}
	}
	for name := range sandbox {
		if all[name] == nil {
			t.Errorf("the sandbox table names %s, which OPA does not have", name)
		}
	}
	caps := map[string]bool{}
	for _, b := range Capabilities().Builtins {
		caps[b.Name] = true
	}
	for name, r := range sandbox {
		if caps[name] == (r.class == removed) {
			t.Errorf("%s: class %d but in capabilities = %v", name, r.class, caps[name])
		}
		if r.class == wrapped {
			if _, ok := sandboxBuiltins()[name]; !ok {
				t.Errorf("%s: wrapped but no wrapper", name)
			}
		}
	}
	if n := len(Capabilities().AllowNet); n != 0 {
		t.Errorf("AllowNet has %d hosts", n)
	}
}

// auditTable renders the sandbox table for the package doc: one line per
// verdict, the builtins it applies to sorted.
func auditTable() string {
	type key struct {
		class class
		why   string
	}
	groups := map[key][]string{}
	for name, r := range sandbox {
		k := key{r.class, r.why}
		groups[k] = append(groups[k], name)
	}
	keys := slices.SortedFunc(maps.Keys(groups), func(a, b key) int {
		return cmp.Or(cmp.Compare(a.class, b.class), cmp.Compare(a.why, b.why))
	})
	var b strings.Builder
	for _, k := range keys {
		names := groups[k]
		slices.Sort(names)
		verdict := [...]string{"direct", "wrapped", "removed"}[k.class]
		fmt.Fprintf(&b, "//\t%s: %s:\n", verdict, k.why)
		line := "//\t    "
		for i, n := range names {
			s := n
			if i < len(names)-1 {
				s += ","
			}
			if len(line)+1+len(s) > 78 {
				b.WriteString(strings.TrimRight(line, " ") + "\n")
				line = "//\t    "
			}
			line += s + " "
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	return b.String()
}

// The package doc holds the audit table as the code has it. Regenerate
// with RINGWISE_AUDIT=print go test -run TestSandboxAuditInDoc.
func TestSandboxAuditInDoc(t *testing.T) {
	table := auditTable()
	if os.Getenv("RINGWISE_AUDIT") == "print" {
		fmt.Print(table)
	}
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), table) {
		t.Errorf("doc.go does not hold the current audit table; regenerate it with RINGWISE_AUDIT=print go test -run TestSandboxAuditInDoc")
	}
}
