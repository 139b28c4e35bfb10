package rollout

import "testing"

// TestBlackoutAppliesRoutine: an update without an urgency is routine, so
// a blackout that exempts "routine" lets it through, as it does an update
// that says "routine".
func TestBlackoutAppliesRoutine(t *testing.T) {
	b := Blackout{Name: "freeze", Exempt: []string{"routine"}}
	for _, tc := range []struct {
		urgency string
		want    bool
	}{{"", false}, {"routine", false}, {"emergency", true}} {
		if got := b.Applies(tc.urgency); got != tc.want {
			t.Errorf("Applies(%q) = %v, want %v", tc.urgency, got, tc.want)
		}
	}
	none := Blackout{Name: "freeze"}
	if !none.Applies("") || !none.Applies("emergency") {
		t.Error("a blackout without exemptions must apply to every urgency")
	}
}
