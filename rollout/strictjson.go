package rollout

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// checkKeys walks the JSON value in data against the Go type it decodes
// into and refuses what encoding/json lets through silently: an object
// with the same key twice (the last would win) and a struct field written
// in another case than its name (encoding/json matches field names without
// regard to case, so "Phase" would set phase). Unknown fields are left to
// the decoder's DisallowUnknownFields.
func checkKeys(data []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return walkValue(dec, t, "", 0)
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
var jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()

// maxKeyDepth bounds the recursion: a State nests five levels deep at
// most, so anything deeper is refused early, whatever the decoder would
// make of it.
const maxKeyDepth = 100

func walkValue(dec *json.Decoder, t reflect.Type, path string, depth int) error {
	if depth > maxKeyDepth {
		return errors.New("nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	// Types that decode themselves (time.Time, Action) and anything the
	// decoder will reject anyway are skipped over.
	if t != nil && (reflect.PointerTo(t).Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(jsonUnmarshaler)) {
		t = nil
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch d {
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := walkValue(dec, elem, fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
				return err
			}
		}
	case '{':
		var fields map[string]reflect.Type // exact JSON names of a struct's fields
		var folded map[string]string       // their lower-case forms
		var elem reflect.Type
		switch {
		case t == nil:
		case t.Kind() == reflect.Struct:
			fields, folded = jsonFields(t)
		case t.Kind() == reflect.Map:
			elem = t.Elem()
		}
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := tok.(string)
			at := joinPath(path, key)
			if seen[key] {
				return fmt.Errorf("duplicate key %q at %s", key, orRoot(path))
			}
			seen[key] = true
			vt := elem
			if fields != nil {
				ft, exact := fields[key]
				if !exact {
					if name, ok := folded[strings.ToLower(key)]; ok {
						return fmt.Errorf("field %q at %s must be written %q", key, orRoot(path), name)
					}
				}
				vt = ft
			}
			if err := walkValue(dec, vt, at, depth+1); err != nil {
				return err
			}
		}
	}
	_, err = dec.Token() // the closing delimiter
	return err
}

// jsonFields returns the JSON names of a struct type's exported fields and
// their lower-case forms (State and the types in it embed no structs).
func jsonFields(t reflect.Type) (map[string]reflect.Type, map[string]string) {
	fields, folded := map[string]reflect.Type{}, map[string]string{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
		folded[strings.ToLower(name)] = name
	}
	return fields, folded
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orRoot(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}
