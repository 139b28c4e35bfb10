package server

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHostPath(t *testing.T) {
	type res struct {
		ID, Host string
		OK       bool
	}
	for _, tc := range []struct {
		path string
		want res
	}{
		{"/v1/rollouts/r1/hosts/h-1", res{"r1", "h-1", true}},
		{"/v1/rollouts/r%2F1/hosts/h%20x", res{"r/1", "h x", true}},
		{"/v1/rollouts/r1/hosts/h/x", res{}},
		{"/v1/rollouts/r1/hosts/", res{}},
		{"/v1/rollouts//hosts/h", res{}},
		{"/v1/rollouts/./hosts/h", res{}},
		{"/v1/rollouts/r1/hosts/..", res{}},
		{"/v1/rollouts/r1/host/h", res{}},
		{"/v1/rollouts/r1", res{}},
		{"/v1/rollouts/r1/hosts/%zz", res{}},
		{"/v2/rollouts/r1/hosts/h", res{}},
	} {
		id, host, ok := hostPath(tc.path)
		if d := cmp.Diff(tc.want, res{id, host, ok}); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.path, d)
		}
	}
}
