package ssh

import "strings"

// ShellQuote quotes s as one word for a POSIX shell. Words made only of letters,
// digits and _ . / : @ % + , - are returned as they are; any other word is put in
// single quotes, where each embedded single quote ends the quoting, is escaped
// with a backslash, and starts it again.
func ShellQuote(s string) string {
	if s != "" && isShellSafe(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ShellJoin quotes each argument and joins them with spaces.
func ShellJoin(args []string) string {
	quoted := make([]string, len(args))
	for i, arg := range args {
		quoted[i] = ShellQuote(arg)
	}
	return strings.Join(quoted, " ")
}

// isShellSafe reports whether every byte of s means itself to the shell in any
// position of a word.
func isShellSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		case strings.IndexByte("_./:@%+,-", b) >= 0:
		default:
			return false
		}
	}
	return true
}
