package simulate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/internal/hclattr"
	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/rollout"
)

// LoadPolicy loads the policy the scenario names in its policy attribute,
// a path relative to dir, the scenario file's directory within root ("."
// when root is that directory). The path must resolve inside root: an
// absolute path, or a ".." or symbolic link that leads out of root, and a
// file that is not a policy file (.hcl, .hcl.json) are refused with an
// error at the scenario's policy attribute, and nothing outside root is
// read. Callers choose root: the scenario's own directory is the safe
// default; a program that reviews a repository may name its top.
//
// opts are passed to policy.LoadIn (a policy.GateLoader, a size limit). The
// diagnostics are those of the scenario's attribute and of the policy's
// files; render them over the scenario's files and Policy.Files.
func LoadPolicy(root *os.Root, dir string, sc *Scenario, opts ...policy.Option) (*policy.Policy, hcl.Diagnostics) {
	at := sc.attrRange(sc.policyRange)
	bad := func(format string, args ...any) (*policy.Policy, hcl.Diagnostics) {
		return &policy.Policy{}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read policy",
			Detail:   fmt.Sprintf(format, args...),
			Subject:  at,
		}}
	}
	p := filepath.FromSlash(sc.Policy)
	if sc.Policy == "" {
		return bad("The scenario names no policy.")
	}
	if filepath.IsAbs(p) || filepath.VolumeName(p) != "" {
		return bad("policy %q is an absolute path; write it relative to the scenario file's directory.", sc.Policy)
	}
	name := filepath.Join(filepath.FromSlash(dir), p)
	fi, err := root.Stat(name)
	switch {
	case err != nil && isEscape(err):
		return bad("policy %q leads outside %s (through \"..\" or a symbolic link), which the scenario's policy must stay inside; it is not read. (The ringwise CLI's -root names a wider directory.)", sc.Policy, root.Name())
	case errors.Is(err, fs.ErrNotExist):
		return bad("policy %q does not exist (looked for %s).", sc.Policy, filepath.Join(root.Name(), name))
	case err != nil:
		return bad("policy %q cannot be read: %v.", sc.Policy, errors.Unwrap(err))
	case !fi.IsDir() && !policy.IsPolicyFile(fi.Name()):
		return bad("policy %q is not a policy file: name a .hcl or .hcl.json file, or a directory of them.", sc.Policy)
	}
	return policy.LoadIn(root, []string{name}, opts...)
}

// isEscape reports whether err is os.Root's refusal of a path that leads
// out of the root.
func isEscape(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if e.Error() == "path escapes from parent" {
			return true
		}
	}
	return false
}

// SelectPlan picks the plan of pol that the scenario runs under: the
// rollout its rollout attribute names, or else the one that applies to the
// update's kind (policy.Policy.Match). When none does, or several do, the
// error is located at the scenario's rollout attribute, or at the update's
// kind, and lists the rollouts the policy defines. An update urgency that
// the plan does not define (rollout.Fleet.Start would refuse it) is an
// error at the update's urgency attribute. Both say "Did you mean" when a
// name is close. When the update's kind fell back to the rollout for every
// kind although the policy routes other kinds (policy.Match's Note, a
// misspelt kind perhaps), the plan comes with a warning located at the
// kind.
func SelectPlan(pol *policy.Policy, sc *Scenario) (*rollout.Plan, hcl.Diagnostics) {
	m, err := pol.Match(sc.Update.Kind, sc.Rollout)
	if err != nil {
		rng := sc.kindRange
		if sc.Rollout != "" {
			rng = sc.rolloutRange
		}
		summary := "No rollout for the update"
		if errors.Is(err, policy.ErrAmbiguousPlan) {
			summary = "Several rollouts for the update"
		}
		detail := strings.TrimPrefix(err.Error(), "policy: ")
		if _, ok := pol.Plan(sc.Rollout); sc.Rollout != "" && !ok {
			names := make([]string, len(pol.Plans))
			for i, p := range pol.Plans {
				names[i] = p.Name
			}
			if s := hclattr.Suggest(sc.Rollout, names); s != "" {
				detail += fmt.Sprintf(". Did you mean %q?", s)
			}
		}
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  summary,
			Detail:   fmt.Sprintf("%s (under the scenario's policy %q); name one with the scenario's rollout attribute.", detail, sc.Policy),
			Subject:  sc.attrRange(rng),
		}}
	}
	plan := m.Plan
	if u := sc.Update.Urgency; u != "" && u != policy.RoutineUrgency {
		if _, ok := plan.Urgency(u); !ok {
			known := []string{policy.RoutineUrgency}
			for _, x := range plan.Urgencies {
				known = append(known, x.Name)
			}
			detail := fmt.Sprintf("Rollout %q defines no urgency %q.", plan.Name, u)
			if s := hclattr.Suggest(u, known); s != "" {
				detail += fmt.Sprintf(" Did you mean %q?", s)
			}
			detail += fmt.Sprintf(" An update's urgency is %q or one of the rollout's urgency blocks: %s.", policy.RoutineUrgency, strings.Join(known, ", "))
			return nil, hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "Unknown urgency",
				Detail:   detail,
				Subject:  sc.attrRange(sc.urgencyRange),
			}}
		}
	}
	if m.Note != "" {
		return plan, hcl.Diagnostics{{
			Severity: hcl.DiagWarning,
			Summary:  "Update kind falls back",
			Detail:   strings.ToUpper(m.Note[:1]) + m.Note[1:] + ".",
			Subject:  sc.attrRange(sc.kindRange),
		}}
	}
	return plan, nil
}

// attrRange returns rng, or the scenario block's position when rng is
// unknown (a Scenario built in Go), or nil when that is unknown too.
func (sc *Scenario) attrRange(rng hcl.Range) *hcl.Range {
	if rng.Filename != "" {
		return &rng
	}
	if sc.Src.File != "" {
		p := hcl.Pos{Line: sc.Src.Line, Column: sc.Src.Column}
		return &hcl.Range{Filename: sc.Src.File, Start: p, End: p}
	}
	return nil
}
