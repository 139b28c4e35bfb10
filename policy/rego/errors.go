package rego

import (
	"errors"
	"strings"

	"github.com/ringwise/ringwise/rollout"
)

// Error is one problem with a gate, found when compiling it or when
// evaluating it, with where in the gate's files it comes from. Src.File is
// the name the file was given in the Spec (or by the Loader); Src.Line is
// at least 1 for every error Compile returns.
type Error struct {
	Src  rollout.Source
	Code string // OPA's error code, e.g. "rego_parse_error", or "" for ringwise's own checks
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	if s := e.Src.String(); s != "" {
		b.WriteString(s)
		b.WriteString(": ")
	}
	b.WriteString("rego: ")
	if e.Code != "" {
		b.WriteString(e.Code)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors returns the *Error values joined in err (as Compile returns them),
// in order. It returns nil when err holds none.
func Errors(err error) []*Error {
	var out []*Error
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if e, ok := err.(*Error); ok {
			out = append(out, e)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		walk(errors.Unwrap(err))
	}
	walk(err)
	return out
}
