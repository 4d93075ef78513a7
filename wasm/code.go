package wasm

import (
	"errors"

	"github.com/crumbkit/crumb"
	"github.com/crumbkit/crumb/signed"
)

// Code is the status the reactor's exports return: zero or a positive
// length on success, a negative code on failure. The values are part of
// the ABI and never change meaning.
type Code int32

// Failure codes. The first six map one to one to crumb's sentinel
// errors, so a JavaScript host can branch the same way Go code does with
// errors.Is.
const (
	CodeMalformed     Code = -1  // crumb.ErrMalformed
	CodeInvalid       Code = -2  // crumb.ErrInvalid
	CodeUnknownKey    Code = -3  // crumb.ErrUnknownKey
	CodeExpired       Code = -4  // crumb.ErrExpired
	CodeWrongName     Code = -5  // crumb.ErrWrongName
	CodeTooLarge      Code = -6  // crumb.ErrTooLarge
	CodeVerifyOnly    Code = -7  // signed.ErrVerifyOnly: seal on a verify-only ring
	CodeNotConfigured Code = -8  // open or seal before a successful configure
	CodeConfig        Code = -9  // ErrConfig: unknown mode or ring text that does not parse
	CodeArgument      Code = -10 // a pointer not from crumb_alloc, or a length past its allocation
	CodeInternal      Code = -11 // anything else (reading randomness failed, say)
)

// codeErrs is ordered: a crumb error wraps exactly one sentinel, so the
// first match is the only one.
var codeErrs = []struct {
	err  error
	code Code
}{
	{crumb.ErrMalformed, CodeMalformed},
	{crumb.ErrInvalid, CodeInvalid},
	{crumb.ErrUnknownKey, CodeUnknownKey},
	{crumb.ErrExpired, CodeExpired},
	{crumb.ErrWrongName, CodeWrongName},
	{crumb.ErrTooLarge, CodeTooLarge},
	{signed.ErrVerifyOnly, CodeVerifyOnly},
	{ErrNotConfigured, CodeNotConfigured},
	{ErrConfig, CodeConfig},
	{ErrArgument, CodeArgument},
}

// Errors of the reactor that have no crumb sentinel.
var (
	ErrNotConfigured = errors.New("wasm: reactor not configured")
	ErrArgument      = errors.New("wasm: pointer or length outside a crumb_alloc buffer")
	ErrInternal      = errors.New("wasm: internal error")
)

// CodeOf returns the code for err: 0 for nil, CodeInternal for an error
// that wraps none of the known sentinels.
func CodeOf(err error) Code {
	if err == nil {
		return 0
	}
	for _, c := range codeErrs {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return CodeInternal
}

// Err returns the sentinel error for a negative code, nil for zero or a
// positive length, and ErrInternal for a code it does not know.
func (c Code) Err() error {
	if c >= 0 {
		return nil
	}
	for _, e := range codeErrs {
		if e.code == c {
			return e.err
		}
	}
	return ErrInternal
}
