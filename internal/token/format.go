package token

import (
	"fmt"
	"io"
	"log/slog"
)

// String returns the redacted token, so that printing a Token never shows its secret.
// Use Value for the usable token.
func (t Token) String() string {
	return t.Redacted()
}

// GoString returns the redacted token for the %#v verb.
func (t Token) GoString() string {
	return t.Redacted()
}

// Format writes the redacted token for every fmt verb, including %+v and %#v, which
// would otherwise print the fields of the struct.
func (t Token) Format(f fmt.State, verb rune) {
	_, _ = io.WriteString(f, t.Redacted())
}

// LogValue returns the redacted token, so that slog handlers never see the secret.
func (t Token) LogValue() slog.Value {
	return slog.StringValue(t.Redacted())
}

// MarshalText returns the redacted token, so that encoding a Token as JSON, YAML or text
// never leaks it. Store Value explicitly where the usable token is needed.
func (t Token) MarshalText() ([]byte, error) {
	return []byte(t.Redacted()), nil
}
