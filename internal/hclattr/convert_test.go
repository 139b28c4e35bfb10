package hclattr

import (
	"fmt"
	"testing"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"pgregory.net/rapid"
)

// TestConvertValueMatchesCty: the element-wise conversion gives what cty's
// own conversion gives, value and error alike, on tuples, lists, objects
// and maps of mixed primitive elements.
func TestConvertValueMatchesCty(t *testing.T) {
	prim := rapid.OneOf(
		rapid.Custom(func(t *rapid.T) cty.Value { return cty.NumberIntVal(rapid.Int64Range(-1e6, 1e6).Draw(t, "n")) }),
		rapid.Custom(func(t *rapid.T) cty.Value {
			return cty.StringVal(rapid.SampledFrom([]string{"1", "x", "true", ""}).Draw(t, "s"))
		}),
		rapid.Custom(func(t *rapid.T) cty.Value { return cty.BoolVal(rapid.Bool().Draw(t, "b")) }),
	)
	rapid.Check(t, func(t *rapid.T) {
		elems := rapid.SliceOfN(prim, 0, 8).Draw(t, "elems")
		attrs := map[string]cty.Value{}
		for i, e := range elems {
			attrs[fmt.Sprintf("k%d", i)] = e
		}
		ins := []cty.Value{cty.TupleVal(elems), cty.ObjectVal(attrs)}
		for _, in := range ins {
			for _, ty := range []cty.Type{cty.List(cty.Number), cty.List(cty.String), cty.List(cty.Bool), cty.Map(cty.String), cty.Map(cty.Number)} {
				want, werr := convert.Convert(in, ty)
				got, gerr := convertValue(in, ty)
				if (werr == nil) != (gerr == nil) {
					t.Fatalf("%#v to %#v: cty error %v, ours %v", in, ty, werr, gerr)
				}
				if werr == nil && !want.RawEquals(got) {
					t.Fatalf("%#v to %#v: cty %#v, ours %#v", in, ty, want, got)
				}
			}
		}
	})
}

// TestConvertLongList: a 100,000-element list converts in linear time (cty
// unifies a tuple's element types with a quadratic sort: about a minute).
func TestConvertLongList(t *testing.T) {
	elems := make([]cty.Value, 100000)
	for i := range elems {
		elems[i] = cty.NumberIntVal(int64(i))
	}
	v, err := convertValue(cty.TupleVal(elems), cty.List(cty.Number))
	if err != nil || v.LengthInt() != len(elems) {
		t.Fatalf("got %d elements, %v", v.LengthInt(), err)
	}
}

func BenchmarkConvertList10k(b *testing.B) {
	elems := make([]cty.Value, 10000)
	for i := range elems {
		elems[i] = cty.NumberIntVal(int64(i))
	}
	in := cty.TupleVal(elems)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := convertValue(in, cty.List(cty.Number)); err != nil {
			b.Fatal(err)
		}
	}
}
