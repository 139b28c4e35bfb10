package ringwise_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// A licence class: a permissive or weak-copyleft licence that may be
// combined with Apache-2.0 code and redistributed under it, or one that
// may not.
type licence struct {
	name    string
	markers []string // every one must appear in the text (after folding)
	title   bool     // the markers must appear in the title: the first titleLen bytes
	ok      bool
}

// titleLen is how much of a folded licence text counts as its title.
// Copyleft licences are recognised by their title only: the MPL-2.0 text,
// for one, names the GNU licences in its body.
const titleLen = 300

// licences classifies a licence text by the sentences that define it; the
// first match wins, so the narrower forms come first.
var licences = []licence{
	{"AGPL-3.0", []string{"gnu affero general public license"}, true, false},
	{"LGPL", []string{"gnu lesser general public license"}, true, false},
	{"GPL", []string{"gnu general public license"}, true, false},
	{"SSPL", []string{"server side public license"}, true, false},
	{"BUSL", []string{"business source license"}, true, false},
	{"MPL-2.0", []string{"mozilla public license", "2.0"}, true, true},
	{"Apache-2.0", []string{"apache license", "version 2.0"}, false, true},
	{"MIT", []string{"permission is hereby granted, free of charge", "the above copyright notice and this permission notice shall be included"}, false, true},
	{"BSD-3-Clause", []string{"redistribution and use in source and binary forms", "neither the name"}, false, true},
	{"BSD-2-Clause", []string{"redistribution and use in source and binary forms"}, false, true},
	{"ISC", []string{"permission to use, copy, modify, and/or distribute this software for any purpose with or without fee"}, false, true},
	// SQLite's code (compiled to Go in modernc.org/sqlite) is dedicated to
	// the public domain.
	{"Public-Domain (SQLite)", []string{"sqlite is public domain", "dedicated to the public domain"}, true, true},
	// modernc.org/memory's LICENSE-LOGO is only the address of its logo
	// image, which is not part of the code we link.
	{"logo image link (no code)", []string{"https: commons.wikimedia.org wiki file:"}, true, true},
}

var space = regexp.MustCompile(`[\s*#/]+`)

// fold lower-cases text and collapses white space and comment markers, so
// that a licence wrapped or indented differently still matches.
func fold(b []byte) string { return space.ReplaceAllString(strings.ToLower(string(b)), " ") }

// classify names the licence of text, or "" when no class matches.
func classify(text []byte) (licence, bool) {
	t := fold(text)
	title := t[:min(len(t), titleLen)]
	for _, l := range licences {
		in := t
		if l.title {
			in = title
		}
		if !slices.ContainsFunc(l.markers, func(m string) bool { return !strings.Contains(in, m) }) {
			return l, true
		}
	}
	return licence{}, false
}

// licenceFiles returns a module directory's licence texts (LICENSE,
// LICENCE, COPYING and variants) and its NOTICE file, if any.
func licenceFiles(t *testing.T, dir string) (texts map[string][]byte, notice []byte) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	texts = map[string][]byte{}
	for _, e := range entries {
		n := strings.ToLower(e.Name())
		if e.IsDir() {
			continue
		}
		switch {
		case strings.HasPrefix(n, "licen") || strings.HasPrefix(n, "copying"):
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			texts[e.Name()] = b
		case n == "notice" || strings.HasPrefix(n, "notice."):
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			notice = b
		}
	}
	return texts, notice
}

type module struct {
	Path, Version, Dir string
	Main               bool
}

// modules returns the modules that provide packages to the build of every
// package of this module (with tests when withTests), from go list.
func modules(t *testing.T, withTests bool) []module {
	args := []string{"list", "-deps", "-json=Module"}
	if withTests {
		args = append(args, "-test")
	}
	out, err := exec.Command("go", append(args, "./...")...).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("go list: %v\n%s", err, msg)
	}
	seen := map[string]bool{}
	var mods []module
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p struct{ Module *module }
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		if p.Module == nil || seen[p.Module.Path] {
			continue // the standard library, or a module already seen
		}
		seen[p.Module.Path] = true
		mods = append(mods, *p.Module)
	}
	slices.SortFunc(mods, func(a, b module) int { return strings.Compare(a.Path, b.Path) })
	return mods
}

// TestDependencyLicences checks that every module this module builds with
// (tests included) carries a licence that may be combined with our
// Apache-2.0 code, and that NOTICE reproduces what those licences ask of a
// redistributor: each NOTICE file of a module linked into our programs
// (Apache-2.0, section 4(d)) and where the source of MPL-2.0 code is.
func TestDependencyLicences(t *testing.T) {
	own, err := os.ReadFile("LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := classify(own); l.name != "Apache-2.0" {
		t.Errorf("LICENSE is %q, want the Apache License 2.0", l.name)
	}
	notice, err := os.ReadFile("NOTICE")
	if err != nil {
		t.Fatal(err)
	}
	linked := map[string]bool{}
	for _, m := range modules(t, false) {
		linked[m.Path] = true
	}
	var table strings.Builder
	for _, m := range modules(t, true) {
		if m.Main {
			continue
		}
		if m.Dir == "" {
			t.Errorf("%s@%s: not in the module cache (run go mod download)", m.Path, m.Version)
			continue
		}
		texts, modNotice := licenceFiles(t, m.Dir)
		if len(texts) == 0 {
			t.Errorf("%s@%s: no LICENSE, LICENCE or COPYING file in %s", m.Path, m.Version, m.Dir)
			continue
		}
		var names []string
		ok := false
		for _, f := range slices.Sorted(func(yield func(string) bool) {
			for f := range texts {
				if !yield(f) {
					return
				}
			}
		}) {
			l, found := classify(texts[f])
			switch {
			case !found:
				t.Errorf("%s@%s: %s: licence not recognised; review it and add its class to licences", m.Path, m.Version, f)
			case !l.ok:
				t.Errorf("%s@%s: %s is %s, which cannot be combined with Apache-2.0 code in a program we distribute", m.Path, m.Version, f, l.name)
			default:
				ok = true
			}
			names = append(names, l.name)
		}
		use := "test only"
		if linked[m.Path] {
			use = "linked"
		}
		fmt.Fprintf(&table, "  %-48s %-10s %s\n", m.Path, use, strings.Join(names, ", "))
		if !ok || !linked[m.Path] {
			continue
		}
		if modNotice != nil && !strings.Contains(fold(notice), fold(modNotice)) {
			t.Errorf("%s@%s has a NOTICE file that NOTICE does not reproduce (Apache-2.0 section 4(d)): add it under a line \"---- %s\"", m.Path, m.Version, m.Path)
		}
		if slices.Contains(names, "MPL-2.0") && !strings.Contains(string(notice), m.Path) {
			t.Errorf("%s@%s is MPL-2.0: NOTICE must say where its source is", m.Path, m.Version)
		}
	}
	t.Logf("dependency licences:\n%s", table.String())
}

// The classifier must tell the classes apart, or the check above proves
// nothing.
func TestClassifyLicence(t *testing.T) {
	filler := strings.Repeat("words of the licence ", titleLen/10)
	for _, tc := range []struct {
		text string
		want string
		ok   bool
	}{
		{"Apache License\n  Version 2.0, January 2004", "Apache-2.0", true},
		{"Permission is hereby granted, free of charge, to any person ... The above copyright\nnotice and this permission notice shall be included in all copies", "MIT", true},
		{"Redistribution and use in source and binary forms, with or without ... * Neither the name of Google", "BSD-3-Clause", true},
		{"Redistribution and use in source and binary forms, with or without modification", "BSD-2-Clause", true},
		{"Mozilla Public License, version 2.0\n" + filler + "\"Secondary License\" means either the GNU General Public License, Version 2.0, the GNU Lesser General Public License, Version 2.1, the GNU Affero General Public License", "MPL-2.0", true},
		{"Copyright 2020 Someone.\n\nRedistribution and use in source and binary forms" + filler + "not under the GNU General Public License", "BSD-2-Clause", true},
		{"GNU GENERAL PUBLIC LICENSE Version 3", "GPL", false},
		{"GNU AFFERO GENERAL PUBLIC LICENSE", "AGPL-3.0", false},
		{"GNU LESSER GENERAL PUBLIC LICENSE", "LGPL", false},
		{"Server Side Public License", "SSPL", false},
		{"All rights reserved. Do not copy.", "", false},
	} {
		l, found := classify([]byte(tc.text))
		if l.name != tc.want || l.ok != tc.ok || found != (tc.want != "") {
			t.Errorf("classify(%q) = %q ok=%v found=%v, want %q ok=%v", tc.text, l.name, l.ok, found, tc.want, tc.ok)
		}
	}
}
