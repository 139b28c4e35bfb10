package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FuzzKindOfFile: check classifies any file as a policy, a scenario or a
// telemetry configuration without panicking, and a file that is one of the
// latter two really starts such a block.
func FuzzKindOfFile(f *testing.F) {
	for _, seed := range []string{
		"scenario \"x\" {\n}\n",
		"telemetry \"prometheus\" {\n}\n",
		"rollout \"r\" {\n}\n",
		"{\"scenario\": {\"x\": {}}}",
		"scenario {",
		"",
		"\xff\xfe",
	} {
		f.Add([]byte(seed), strings.HasPrefix(seed, "{"))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src []byte, json bool) {
		name := "f.hcl"
		if json {
			name = "f.hcl.json"
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
		k := kindOfFile(path)
		if !slices.Contains([]string{"policy", "scenario", "telemetry"}, k) {
			t.Fatalf("kindOfFile = %q", k)
		}
		if k != "policy" && !bytes.Contains(src, []byte(k)) {
			t.Fatalf("%q classified as %s", src, k)
		}
	})
}

// FuzzParseFlags: any argument list parses without panicking; positional
// arguments keep their order; a parse that succeeds gives the same result
// when its positional arguments are parsed again after "--".
func FuzzParseFlags(f *testing.F) {
	for _, seed := range []string{
		"plan\x00DIR\x00-rollout\x00x",
		"-json\x00--\x00-x\x00y",
		"-\x00-start\x00-1h",
		"-h",
		"--json=true\x00a\x00b",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		fs := newFlags("x", "", "")
		fs.Bool("json", false, "")
		fs.String("start", "", "")
		fs.String("rollout", "", "")
		code := parseFlags(fs, args, io.Discard, io.Discard)
		if code >= 0 {
			return // -h or a bad flag: reported, nothing to check
		}
		got := fs.Args()
		// Every positional argument is one of args, in the same order.
		i := 0
		for _, p := range got {
			for i < len(args) && args[i] != p {
				i++
			}
			if i == len(args) {
				t.Fatalf("positional %q of %q not in order", got, args)
			}
			i++
		}
		again := newFlags("x", "", "")
		again.Bool("json", false, "")
		again.String("start", "", "")
		again.String("rollout", "", "")
		if code := parseFlags(again, append([]string{"--"}, got...), io.Discard, io.Discard); code >= 0 || !slices.Equal(again.Args(), got) {
			t.Fatalf("re-parsing %q gave %q (code %d)", got, again.Args(), code)
		}
	})
}
