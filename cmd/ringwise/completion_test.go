package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestBashCompletion loads the bash script into bash and asks it to
// complete a few command lines.
func TestBashCompletion(t *testing.T) {
	var script bytes.Buffer
	if code := run([]string{"completion", "bash"}, &script, os.Stderr); code != 0 {
		t.Fatalf("exit %d", code)
	}
	path := filepath.Join(t.TempDir(), "ringwise.bash")
	if err := os.WriteFile(path, script.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		words []string // the last one is being completed
		want  string
	}{
		{[]string{"ringwise", "pl"}, "plan"},
		{[]string{"ringwise", "c"}, "check completion"},
		{[]string{"ringwise", "fmt", "-"}, "-check -diff -w -h"},
		{[]string{"ringwise", "simulate", "x.hcl", "-r"}, "-root -runs"},
		{[]string{"ringwise", "help", "si"}, "simulate"},
		{[]string{"ringwise", "check", "exa"}, ""}, // file names: left to bash's default
	} {
		words := make([]string, len(tc.words))
		for i, w := range tc.words {
			words[i] = "'" + w + "'"
		}
		sh := "source " + path + "\nCOMP_WORDS=(" + strings.Join(words, " ") + ")\nCOMP_CWORD=" +
			string(rune('0'+len(tc.words)-1)) + "\n_ringwise\necho \"${COMPREPLY[*]}\"\n"
		out, err := exec.Command("bash", "--norc", "--noprofile", "-c", sh).CombinedOutput()
		if err != nil {
			t.Fatalf("bash: %v\n%s", err, out)
		}
		if diff := cmp.Diff(tc.want, strings.TrimSpace(string(out))); diff != "" {
			t.Errorf("completing %v (-want +got):\n%s", tc.words, diff)
		}
	}
}

// Every command and every flag of every command is in each script.
func TestCompletionCoversEveryFlag(t *testing.T) {
	cs := completions()
	if len(cs) != len(commands) {
		t.Fatalf("%d commands completed, %d registered", len(cs), len(commands))
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		var out bytes.Buffer
		if code := run([]string{"completion", shell}, &out, os.Stderr); code != 0 {
			t.Fatalf("%s: exit %d", shell, code)
		}
		for _, c := range cs {
			if !strings.Contains(out.String(), c.name) {
				t.Errorf("%s script lacks command %s", shell, c.name)
			}
			for _, f := range c.flags {
				want := "-" + f.name
				if shell == "fish" {
					want = "-o " + f.name
				}
				if !strings.Contains(out.String(), want) {
					t.Errorf("%s script lacks %s's flag -%s", shell, c.name, f.name)
				}
			}
		}
	}
	var plan *cmdCompletion
	for i := range cs {
		if cs[i].name == "plan" {
			plan = &cs[i]
		}
	}
	if plan == nil || plan.flags[1] != (flagCompletion{name: "kind", usage: "update kind: pick the rollout whose applies_to lists it", value: true}) {
		t.Errorf("plan's flags as parsed from -h: %+v", plan)
	}
}
