package rego

import "testing"

// TestDataConflictDeterministic: when two data files define several of the
// same documents, the error names the same one on every run (it depended
// on map iteration order).
func TestDataConflictDeterministic(t *testing.T) {
	spec := Spec{
		Modules: []File{{Name: "g.rego", Src: []byte("package g\n\nhold contains \"x\" if false\n")}},
		Data: []File{
			{Name: "a.json", Src: []byte(`{"e":5,"d":4,"c":3,"b":2,"a":1}`)},
			{Name: "b.json", Src: []byte(`{"a":1,"b":2,"c":3,"d":4,"e":5}`)},
		},
	}
	const want = "b.json:1:1: rego: ringwise_data_error: data.a is defined by two data files"
	for range 30 {
		_, err := Compile(spec)
		if err == nil || err.Error() != want {
			t.Fatalf("got %v, want %s", err, want)
		}
	}
}
