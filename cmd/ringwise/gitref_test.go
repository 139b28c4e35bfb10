package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReviewGitRefs reads base as of a revision: a file and a directory,
// and refuses what it must.
func TestReviewGitRefs(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	base := fixtureRepo(t, repo, "testdata/action/head-faster.hcl")
	// A later commit adds a symlink in the policy directory, and one to
	// the policy directory.
	if err := os.Symlink("/etc/passwd", filepath.Join(repo, "policies", "evil.hcl")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("policies", filepath.Join(repo, "linked")); err != nil {
		t.Fatal(err)
	}
	gitIn(t, repo, "add", "-A")
	gitIn(t, repo, "commit", "-q", "-m", "a symlink")
	os.Remove(filepath.Join(repo, "policies", "evil.hcl")) // from the work tree only
	os.Remove(filepath.Join(repo, "linked"))
	os.WriteFile(filepath.Join(dir, "outside.hcl"), []byte(`rollout "x" {}`), 0o644)
	t.Chdir(filepath.Join(repo, "scenarios")) // paths are relative to the current directory

	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string // in stdout+stderr
	}{
		{"directory at the base commit", []string{"-base-ref", base, "-head", "../policies", "good-update"}, 0, []string{
			"## ringwise review: `../policies@" + base[:12] + "` → `../policies`",
			"-     bake = \"20m\"  # ../policies/content.hcl:13",
			"+     bake = \"10m\"  # ../policies/content.hcl:13",
		}},
		{"a file at a branch name", []string{"-base-ref", "main", "-base", "../policies/content.hcl", "-head", "../policies/content.hcl", "good-update"}, 0, []string{
			"`../policies/content.hcl@main` → `../policies/content.hcl`", "1 change (`-` base, `+` head)",
		}},
		{"the same revision on both sides", []string{"-base-ref", base, "-head-ref", base, "-head", "../policies", "bad-push"}, 0, []string{
			"The policies are identical.", "➖ **No change**",
		}},
		{"a symlink in the tree", []string{"-base-ref", "HEAD", "-head", "../policies", "good-update"}, 1, []string{
			"policies/evil.hcl is a symlink at HEAD; policies are read without following symlinks",
		}},
		{"a symlink to the policy", []string{"-base-ref", "HEAD", "-base", "../linked", "-head", "../policies", "good-update"}, 1, []string{
			"../linked is a symlink at HEAD; policies are read without following symlinks",
		}},
		{"a path outside the repository", []string{"-base-ref", base, "-base", "../../outside.hcl", "-head", "../policies", "good-update"}, 1, []string{
			"../../outside.hcl is outside the git repository",
		}},
		{"no such revision", []string{"-base-ref", "no-such-branch", "-head", "../policies", "good-update"}, 1, []string{
			`no commit "no-such-branch" in this repository`,
		}},
		{"an option for a revision", []string{"-base-ref", "--output=/tmp/x", "-head", "../policies", "good-update"}, 1, []string{
			`invalid revision "--output=/tmp/x"`,
		}},
		{"a path the revision lacks", []string{"-base-ref", base, "-base", "../policies/new.hcl", "-head", "../policies", "good-update"}, 1, []string{
			"../policies/new.hcl does not exist at " + base,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(append([]string{"review", "-runs", "2"}, tc.args...), &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tc.code, stdout.String(), stderr.String())
			}
			all := stdout.String() + stderr.String()
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
		})
	}
}
