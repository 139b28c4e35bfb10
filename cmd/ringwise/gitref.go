package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing/fstest"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/ringwise/ringwise/policy"
	"github.com/ringwise/ringwise/policy/rego"
)

// Limits on what loadPolicyAt reads from git.
const (
	gitMaxFiles   = 10_000
	gitMaxBytes   = 64 << 20
	gitTimeout    = 60 * time.Second
	gitModeLink   = "120000"
	gitModeModule = "160000"
)

// loadPolicyAt loads the policy file or directory at p (relative to the
// current directory, inside its git repository) as of the git revision
// rev, compiling gates with Rego, and writes its diagnostics to diagw in
// FILE:LINE:COL form with file names as in the work tree. dir is the
// directory the policy's file names are relative to (for review.Side.Dir).
//
// It reads the tree with git ls-tree and git cat-file, never the work
// tree. A symlink or submodule in the policy's tree, a path outside the
// repository, and a revision that does not exist or lacks p are errors.
func loadPolicyAt(rev, p string, diagw io.Writer) (pol *policy.Policy, dir string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), gitTimeout)
	defer cancel()
	if strings.HasPrefix(rev, "-") {
		return nil, "", fmt.Errorf("invalid revision %q", rev)
	}
	top, err := git(ctx, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, "", err
	}
	rel, err := repoPath(strings.TrimSpace(string(top)), p)
	if err != nil {
		return nil, "", err
	}
	commit, err := git(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		return nil, "", fmt.Errorf("no commit %q in this repository", rev)
	}
	c := strings.TrimSpace(string(commit))
	entries, err := lsTree(ctx, c, rel)
	if err != nil {
		return nil, "", err
	}
	if len(entries) == 0 {
		return nil, "", fmt.Errorf("%s does not exist at %s", p, rev)
	}
	isFile := len(entries) == 1 && entries[0].path == rel
	if isFile && entries[0].mode == gitModeLink {
		return nil, "", fmt.Errorf("%s is a symlink at %s; policies are read without following symlinks", p, rev)
	}
	base := rel // the directory the policy's fs is rooted at
	if isFile {
		if !policy.IsPolicyFile(rel) {
			return nil, "", fmt.Errorf("%s: at a git revision a policy file must end in .hcl or .hcl.json", p)
		}
		base = path.Dir(rel)
		if entries, err = lsTree(ctx, c, base); err != nil {
			return nil, "", err
		}
	}
	fsys := fstest.MapFS{}
	var oids []string
	var names []string
	for _, e := range entries {
		name := e.path
		if base != "." {
			name = strings.TrimPrefix(e.path, base+"/")
		}
		switch e.mode {
		case gitModeLink:
			return nil, "", fmt.Errorf("%s is a symlink at %s; policies are read without following symlinks", e.path, rev)
		case gitModeModule:
			return nil, "", fmt.Errorf("%s is a submodule at %s; a policy cannot include one", e.path, rev)
		}
		oids = append(oids, e.oid)
		names = append(names, name)
	}
	if len(names) > gitMaxFiles {
		return nil, "", fmt.Errorf("%s holds more than %d files at %s", p, gitMaxFiles, rev)
	}
	blobs, err := catBlobs(ctx, oids)
	if err != nil {
		return nil, "", err
	}
	for i, n := range names {
		fsys[n] = &fstest.MapFile{Data: blobs[i], Mode: 0o644}
	}
	// File names in diagnostics as in the work tree, relative to the
	// current directory like the path given.
	dir = filepath.ToSlash(filepath.Dir(filepath.Clean(p)))
	keep := ""
	if isFile {
		keep = path.Base(rel)
	} else {
		dir = filepath.ToSlash(filepath.Clean(p))
	}
	if dir == "." {
		dir = ""
	}
	pol = loadPolicyFS(fsys, dir, keep, diagw)
	return pol, dir, nil
}

// loadPolicyDir loads the policy file or directory p from the work tree
// the way loadPolicyAt loads it from git: through an fs rooted at its
// directory, so that both sides of a review name their files (and their
// gates' modules, which count in a plan's digest) alike. dir is as for
// loadPolicyAt. ok is false when p does not load.
func loadPolicyDir(p string, diagw io.Writer) (pol *policy.Policy, dir string, ok bool) {
	fi, err := os.Stat(p)
	if err != nil {
		fmt.Fprintf(diagw, "%s: %v\n", p, err)
		return nil, "", false
	}
	d, keep := filepath.Clean(p), ""
	if !fi.IsDir() {
		if !policy.IsPolicyFile(p) {
			// Any name goes when a file is named explicitly.
			pol, ok := loadPolicy([]string{p}, diagw)
			return pol, "", ok
		}
		d, keep = filepath.Dir(d), filepath.Base(p)
	}
	root, err := os.OpenRoot(d)
	if err != nil {
		fmt.Fprintf(diagw, "%s: %v\n", p, err)
		return nil, "", false
	}
	defer root.Close()
	dir = filepath.ToSlash(d)
	if dir == "." {
		dir = ""
	}
	var b bytes.Buffer
	pol = loadPolicyFS(root.FS(), dir, keep, &b)
	diagw.Write(b.Bytes())
	return pol, dir, pol != nil
}

// loadPolicyFS loads the policy at the top of fsys (only the file keep
// among its policy files, when keep is set), compiling gates with Rego,
// and writes its diagnostics with dir prepended to the file names. It
// returns nil when the policy has errors.
func loadPolicyFS(fsys fs.FS, dir, keep string, diagw io.Writer) *policy.Policy {
	if keep != "" {
		fsys = onlyFile{fsys, keep}
	}
	gates := rego.NewLoader()
	pol, diags := policy.Load(fsys, policy.WithGateLoader(gates))
	files := map[string]*hcl.File{}
	for n, f := range pol.Files {
		files[prefixName(dir, n)] = f
	}
	for n, f := range gates.Files() {
		files[prefixName(dir, n)] = f
	}
	policy.WriteDiagnostics(diagw, files, prefixDiags(dir, diags))
	if diags.HasErrors() {
		return nil
	}
	return pol
}

// onlyFile is fsys with one policy file at its top: the other policy files
// beside it are not listed (Rego modules and data still are).
type onlyFile struct {
	fs.FS
	keep string
}

func (o onlyFile) ReadDir(name string) ([]fs.DirEntry, error) {
	es, err := fs.ReadDir(o.FS, name)
	if name != "." {
		return es, err
	}
	out := es[:0:0]
	for _, e := range es {
		if e.Name() == o.keep || e.IsDir() || !policy.IsPolicyFile(e.Name()) {
			out = append(out, e)
		}
	}
	return out, err
}

func prefixName(dir, name string) string {
	if dir == "" || name == "" {
		return name
	}
	return dir + "/" + name
}

// prefixDiags returns diags with dir prepended to every file name.
func prefixDiags(dir string, diags hcl.Diagnostics) hcl.Diagnostics {
	out := make(hcl.Diagnostics, len(diags))
	for i, d := range diags {
		c := *d
		for _, r := range []**hcl.Range{&c.Subject, &c.Context} {
			if *r != nil {
				x := **r
				x.Filename = prefixName(dir, x.Filename)
				*r = &x
			}
		}
		out[i] = &c
	}
	return out
}

// repoPath returns p (relative to the current directory) relative to the
// repository's top directory, slash-separated; a path outside it is an
// error.
func repoPath(top, p string) (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	if wd, err = filepath.EvalSymlinks(wd); err != nil {
		return "", err
	}
	if top, err = filepath.EvalSymlinks(top); err != nil {
		return "", err
	}
	abs := p
	if !filepath.IsAbs(p) {
		abs = filepath.Join(wd, p)
	}
	rel, err := filepath.Rel(top, filepath.Clean(abs))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is outside the git repository at %s", p, top)
	}
	return filepath.ToSlash(rel), nil
}

type treeEntry struct{ mode, typ, oid, path string }

// lsTree lists the files under p (or p itself) at commit, recursively.
func lsTree(ctx context.Context, commit, p string) ([]treeEntry, error) {
	out, err := git(ctx, "ls-tree", "-r", "-z", "--full-tree", commit, "--", p)
	if err != nil {
		return nil, err
	}
	var entries []treeEntry
	for rec := range bytes.SplitSeq(out, []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		meta, name, ok := strings.Cut(string(rec), "\t")
		f := strings.Fields(meta)
		if !ok || len(f) != 3 {
			return nil, fmt.Errorf("git ls-tree: unexpected output %q", rec)
		}
		if p != "." && name != p && !strings.HasPrefix(name, p+"/") {
			continue
		}
		entries = append(entries, treeEntry{f[0], f[1], f[2], name})
		if len(entries) > gitMaxFiles {
			break
		}
	}
	return entries, nil
}

// catBlobs reads blobs through one git cat-file --batch, at most
// gitMaxBytes in all.
func catBlobs(ctx context.Context, oids []string) ([][]byte, error) {
	if len(oids) == 0 {
		return nil, nil
	}
	cmd := exec.CommandContext(ctx, "git", "cat-file", "--batch")
	cmd.Stdin = strings.NewReader(strings.Join(oids, "\n") + "\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r := bufio.NewReader(stdout)
	out := make([][]byte, len(oids))
	total := 0
	for i := range oids {
		hdr, err := r.ReadString('\n')
		if err != nil {
			break
		}
		f := strings.Fields(hdr)
		if len(f) != 3 || f[1] != "blob" {
			err = fmt.Errorf("git cat-file: unexpected %q", strings.TrimSpace(hdr))
			cmd.Process.Kill()
			cmd.Wait()
			return nil, err
		}
		n, err := strconv.Atoi(f[2])
		if err != nil || n < 0 || total+n > gitMaxBytes {
			cmd.Process.Kill()
			cmd.Wait()
			return nil, fmt.Errorf("the policy's files at this revision are larger than %d bytes", gitMaxBytes)
		}
		total += n
		out[i] = make([]byte, n+1) // the content and its newline
		if _, err := io.ReadFull(r, out[i]); err != nil {
			break
		}
		out[i] = out[i][:n]
	}
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("git cat-file: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	for i := range out {
		if out[i] == nil {
			return nil, errors.New("git cat-file: short output")
		}
	}
	return out, nil
}

// git runs git with args in the current directory and returns its output.
func git(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("git %s: %s", args[0], msg)
	}
	return out, nil
}
