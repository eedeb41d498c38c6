package ssh

import (
	"os/exec"
	"testing"
)

func TestShellQuote(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{in: "", want: "''"},
		{in: "plain", want: "plain"},
		{in: "/var/lib/lightnode", want: "/var/lib/lightnode"},
		{in: "--flag=value", want: "'--flag=value'"},
		{in: "two words", want: "'two words'"},
		{in: "it's", want: `'it'\''s'`},
		{in: "'", want: `''\'''`},
		{in: "$HOME", want: "'$HOME'"},
		{in: "`id`", want: "'`id`'"},
		{in: "a;b|c&d", want: "'a;b|c&d'"},
		{in: "~root", want: "'~root'"},
		{in: "*", want: "'*'"},
		{in: "line\nbreak", want: "'line\nbreak'"},
		{in: `back\slash`, want: `'back\slash'`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := ShellQuote(tt.in); got != tt.want {
				t.Errorf("ShellQuote(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestShellJoinRoundTrip(t *testing.T) {
	args := []string{"", "plain", "two words", "it's", "$HOME", "`id`", "a;b", "*",
		"line\nbreak", `"quoted"`, "FOO=bar", "-n", "é ü"}
	for _, arg := range args {
		t.Run(arg, func(t *testing.T) {
			script := "printf '%s' " + ShellJoin([]string{arg})
			out, err := exec.Command("sh", "-c", script).Output()
			if err != nil {
				t.Fatalf("sh -c %s: %v", script, err)
			}
			if string(out) != arg {
				t.Errorf("sh printed %q, want %q", out, arg)
			}
		})
	}
}
