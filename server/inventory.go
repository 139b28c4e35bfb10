package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ringwise/ringwise/rollout"
)

// InventoryHost is one host of an inventory file.
type InventoryHost struct {
	ID     string            `json:"id"`
	Labels map[string]string `json:"labels,omitempty"`
}

// ParseInventory reads an inventory: a JSON array of {"id": ..., "labels":
// {...}} objects. Host IDs must be unique and non-empty. Errors name the
// line and column.
func ParseInventory(data []byte, name string) ([]rollout.Host, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var in []InventoryHost
	if err := dec.Decode(&in); err != nil {
		off := dec.InputOffset()
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			off = se.Offset
		case errors.As(err, &te):
			off = valueStart(data, te.Offset)
		}
		line, col := lineCol(data, off)
		return nil, fmt.Errorf("%s:%d:%d: inventory: %v%s", name, line, col, err, snippet(data, off))
	}
	if dec.More() {
		off := dec.InputOffset()
		for off < int64(len(data)) && bytes.IndexByte([]byte(" \t\r\n"), data[off]) >= 0 {
			off++
		}
		line, col := lineCol(data, off)
		return nil, fmt.Errorf("%s:%d:%d: inventory: trailing data after the array%s", name, line, col, snippet(data, off))
	}
	seen := make(map[string]int, len(in))
	hosts := make([]rollout.Host, len(in))
	for i, h := range in {
		if h.ID == "" {
			return nil, fmt.Errorf("%s: inventory: host %d has no id", name, i+1)
		}
		if j, dup := seen[h.ID]; dup {
			return nil, fmt.Errorf("%s: inventory: host %d repeats the id %q of host %d", name, i+1, h.ID, j+1)
		}
		seen[h.ID] = i
		hosts[i] = rollout.Host{ID: h.ID, Labels: h.Labels}
	}
	return hosts, nil
}

// valueStart returns where the JSON value that ends at end begins.
func valueStart(data []byte, end int64) int64 {
	end = min(max(end, 0), int64(len(data)))
	i := end
	if i > 0 && data[i-1] == '"' {
		for i--; i > 0; i-- {
			if data[i-1] == '"' && (i < 2 || data[i-2] != '\\') {
				return i - 1
			}
		}
		return 0
	}
	for i > 0 && !bytes.ContainsRune([]byte(" \t\r\n,:[{"), rune(data[i-1])) {
		i--
	}
	return i
}

// snippet renders the source line holding off and a caret under it, the
// way policy diagnostics show their source.
func snippet(data []byte, off int64) string {
	off = min(max(off, 0), int64(len(data)))
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	end := bytes.IndexByte(data[off:], '\n')
	if end < 0 {
		end = len(data) - int(off)
	}
	line := string(data[start : int(off)+end])
	if len(line) > 200 || !utf8.ValidString(line) {
		return ""
	}
	pad := strings.Map(func(r rune) rune {
		if r == '\t' {
			return '\t'
		}
		return ' '
	}, line[:int(off)-start])
	return "\n    " + line + "\n    " + pad + "^"
}

func lineCol(data []byte, off int64) (int, int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// ParseTokens reads a token file: one "NAME:TOKEN" or "TOKEN" a line
// (blank lines and # comments skipped); a token without a name is named
// def. It returns token -> name.
func ParseTokens(data []byte, name, def string) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		who, tok, ok := strings.Cut(line, ":")
		if !ok {
			who, tok = def, line
		}
		who, tok = strings.TrimSpace(who), strings.TrimSpace(tok)
		if len(tok) < 16 {
			return nil, fmt.Errorf("%s:%d: token shorter than 16 characters", name, n)
		}
		if _, dup := out[tok]; dup {
			return nil, fmt.Errorf("%s:%d: token repeated", name, n)
		}
		out[tok] = who
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no token", name)
	}
	return out, nil
}
