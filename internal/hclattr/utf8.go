package hclattr

import (
	"fmt"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// CheckUTF8 reports the first byte of src that is not valid UTF-8, at its
// line and column, or nothing when src is valid. The parsers assume UTF-8:
// call it first.
func CheckUTF8(src []byte, filename string) hcl.Diagnostics {
	if utf8.Valid(src) {
		return nil
	}
	pos := invalidUTF8Pos(src)
	end := pos
	end.Byte++
	end.Column++
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid UTF-8",
		Detail:   fmt.Sprintf("%s is not valid UTF-8 (byte 0x%02x at offset %d); files must be UTF-8 encoded.", filename, src[pos.Byte], pos.Byte),
		Subject:  &hcl.Range{Filename: filename, Start: pos, End: end},
	}}
}

// invalidUTF8Pos returns the position of the first byte of src that is not
// valid UTF-8.
func invalidUTF8Pos(src []byte) hcl.Pos {
	pos := hcl.InitialPos
	for len(src) > 0 {
		r, size := utf8.DecodeRune(src)
		if r == utf8.RuneError && size <= 1 {
			return pos
		}
		pos.Byte += size
		if r == '\n' {
			pos.Line++
			pos.Column = 1
		} else {
			pos.Column++
		}
		src = src[size:]
	}
	return pos
}
