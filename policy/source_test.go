package policy

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestReadSource(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "ok.hcl"), []byte("# fine\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "big.hcl"), []byte(strings.Repeat("#", 100)), 0o644))
	must(os.Mkdir(filepath.Join(dir, "sub.hcl"), 0o755))
	must(os.WriteFile(filepath.Join(outside, "secret"), []byte("CANARY-SECRET\n"), 0o644))
	must(os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "out.hcl")))
	must(os.Symlink("ok.hcl", filepath.Join(dir, "in.hcl")))
	root, err := os.OpenRoot(dir)
	must(err)
	defer root.Close()

	for _, tc := range []struct {
		name string
		want []diag
		src  string
	}{
		{name: "ok.hcl", src: "# fine\n"},
		{name: "in.hcl", src: "# fine\n"}, // a link inside the directory
		{name: "big.hcl", want: []diag{{"D/big.hcl:1:1", "File too large", "is 100 bytes; at most 64 bytes"}}},
		{name: "sub.hcl", want: []diag{{"D/sub.hcl:1:1", "Not a file", "is a directory"}}},
		{name: "out.hcl", want: []diag{{"D/out.hcl:1:1", "Cannot read file", "leads outside the directory"}}},
		{name: "missing.hcl", want: []diag{{"D/missing.hcl:1:1", "Cannot read file", "no such file"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, diags := ReadSource(root.FS(), tc.name, "D/"+tc.name, 64)
			if diff := cmp.Diff(tc.want, summarize(diags, tc.want), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if string(src) != tc.src {
				t.Errorf("source %q, want %q", src, tc.src)
			}
			for _, d := range diags {
				if strings.Contains(d.Detail, "CANARY") {
					t.Errorf("diagnostic echoes the file outside: %s", d.Detail)
				}
			}
		})
	}
}

// TestReadSourceGrowing: a file system whose Stat understates the size
// (a file that grows while it is read) still gives at most limit bytes.
func TestReadSourceGrowing(t *testing.T) {
	fsys := lyingFS{fstest.MapFS{"p.hcl": {Data: []byte(strings.Repeat("#", 1000))}}}
	src, diags := ReadSource(fsys, "p.hcl", "p.hcl", 10)
	want := []diag{{"p.hcl:1:1", "File too large", "larger than 10 bytes"}}
	if diff := cmp.Diff(want, summarize(diags, want)); diff != "" || src != nil {
		t.Errorf("diagnostics (-want +got):\n%s; source %q", diff, src)
	}
}

// lyingFS reports every file as empty.
type lyingFS struct{ m fstest.MapFS }

func (l lyingFS) Open(name string) (fs.File, error) {
	f, err := l.m.Open(name)
	if err != nil {
		return nil, err
	}
	return lyingFile{f}, nil
}

type lyingFile struct{ fs.File }

func (f lyingFile) Stat() (fs.FileInfo, error) {
	fi, err := f.File.Stat()
	if err != nil {
		return nil, err
	}
	return zeroSize{fi}, nil
}

type zeroSize struct{ fs.FileInfo }

func (zeroSize) Size() int64 { return 0 }
