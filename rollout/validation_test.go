package rollout

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestValidationErrorFields: every problem names the attribute and, in a
// list, the element it is about, so that a loader can point at the value.
func TestValidationErrorFields(t *testing.T) {
	ring := Source{File: "p.hcl", Line: 2, Column: 3}
	trig := Source{File: "p.hcl", Line: 8, Column: 3}
	win := Source{File: "p.hcl", Line: 20, Column: 3}
	p := Plan{
		Name:     "r",
		Rings:    []Ring{{Name: "a", Src: ring, Steps: []float64{0, 50, 40}, Bake: -time.Hour, TenantCap: 101}},
		Triggers: []Trigger{{Name: "t", Src: trig, Kind: Sequential, Signal: "crash", Rate: 0.01, Ratio: 2, Alpha: 0.5, Action: Halt}},
		Tenants:  []Tenant{{Name: "x", Maintenance: []Window{{Src: win, Zone: time.UTC, Start: time.Hour, Length: 30 * time.Second}}}},
	}
	_, err := Compile(p)
	type field struct {
		Src   Source
		Field string
		Elem  int
	}
	var got []field
	for _, ve := range ValidationErrors(err) {
		got = append(got, field{ve.Src, ve.Field, ve.Elem})
	}
	want := []field{
		{ring, "steps", 1},
		{ring, "steps", 3},
		{ring, "steps", 3},
		{ring, "bake", 0},
		{ring, "tenant_cap", 0},
		{trig, "alpha", 0},
		{win, "hours", 0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s\nall: %v", diff, err)
	}
}
