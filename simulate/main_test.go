package simulate

import (
	"flag"
	"os"
	"testing"
)

// TestMain runs the rapid properties 1000 times unless -rapid.checks says
// otherwise: the rarer paths (a boot loop during a rollback) need it.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.checks" })
	if !set && !testing.Short() {
		flag.Set("rapid.checks", "1000")
	}
	os.Exit(m.Run())
}
