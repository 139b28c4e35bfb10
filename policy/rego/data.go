package rego

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ringwise/ringwise/rollout"
)

// isYAML reports whether a data file is read as YAML (by its name);
// anything else is read as JSON.
func isYAML(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}

// parseData decodes one data file: a JSON or YAML object whose keys become
// top-level documents of data.
func parseData(f File) (map[string]any, *Error) {
	bad := func(line, col int, format string, args ...any) *Error {
		return &Error{Src: rollout.Source{File: f.Name, Line: max(line, 1), Column: max(col, 1)}, Code: "ringwise_data_error", Msg: fmt.Sprintf(format, args...)}
	}
	src := bytes.TrimPrefix(f.Src, []byte("\xef\xbb\xbf"))
	var v any
	if isYAML(f.Name) {
		if err := yaml.Unmarshal(src, &v); err != nil {
			line := yamlErrLine(err)
			return nil, bad(line, 1, "not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		}
		// YAML allows what JSON does not (non-string keys, ...): normalise
		// through JSON so that data holds only JSON values.
		j, err := json.Marshal(jsonable(v))
		if err != nil {
			return nil, bad(1, 1, "YAML document is not representable as JSON: %v", err)
		}
		src = j
	}
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		off := int64(len(src))
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			off = se.Offset - 1 // Offset is after the offending byte
		case errors.As(err, &te):
			off = te.Offset
		case errors.Is(err, io.EOF):
			return nil, bad(1, 1, "not valid JSON: empty file")
		}
		line, col := lineCol(src, off)
		return nil, bad(line, col, "not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		line, col := lineCol(src, dec.InputOffset())
		return nil, bad(line, col, "not valid JSON: data after the top-level value")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, bad(1, 1, "a data file must hold an object (its keys become documents under data), not %s", jsonKind(v))
	}
	if num, err := checkData(obj); err != nil {
		line, col := 1, 1
		if !isYAML(f.Name) {
			line, col = lineCol(src, int64(bytes.Index(src, []byte(num))))
		}
		return nil, bad(line, col, "%v", err)
	}
	return obj, nil
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

func yamlErrLine(err error) int {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			return n
		}
	}
	return 1
}

// jsonable converts YAML's map[any]any (non-string keys) into
// map[string]any where keys are strings, and leaves the rest for
// json.Marshal to reject.
func jsonable(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = jsonable(x)
		}
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			s, ok := k.(string)
			if !ok {
				return badKey{k}
			}
			m[s] = jsonable(x)
		}
		return m
	case []any:
		for i, x := range v {
			v[i] = jsonable(x)
		}
	}
	return v
}

// badKey fails json.Marshal with a readable message.
type badKey struct{ k any }

func (b badKey) MarshalJSON() ([]byte, error) {
	return nil, fmt.Errorf("map key %v (%T) is not a string", b.k, b.k)
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	default:
		return "a number"
	}
}

// lineCol converts a byte offset into a 1-based line and column.
func lineCol(src []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(src)))
	before := src[:off]
	line = 1 + bytes.Count(before, []byte("\n"))
	col = 1 + len(before) - (bytes.LastIndexByte(before, '\n') + 1)
	return line, col
}

// mergeData merges src into dst. Two files that define the same leaf (or a
// leaf and an object) conflict. Keys are merged in sorted order so that the
// conflict reported is the same on every run.
func mergeData(dst, src map[string]any, path []string) error {
	for _, k := range slices.Sorted(maps.Keys(src)) {
		v := src[k]
		p := append(path[:len(path):len(path)], k)
		old, ok := dst[k]
		if !ok {
			dst[k] = v
			continue
		}
		om, ok1 := old.(map[string]any)
		nm, ok2 := v.(map[string]any)
		if !ok1 || !ok2 {
			return fmt.Errorf("data.%s is defined by two data files", strings.Join(p, "."))
		}
		if err := mergeData(om, nm, p); err != nil {
			return err
		}
	}
	return nil
}
