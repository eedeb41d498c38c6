package sshtest

import (
	"io"
	"slices"
	"strings"
)

// maxPasswordLine bounds how much stdin the simulated sudo reads as a password.
const maxPasswordLine = 1024

// sudo checks a "sudo [options] -- command" invocation the way sudo does for a user
// whose sudoers entry asks for the configured password, or for none when the password
// is empty. It returns the command to run, or a non-zero status after writing sudo's
// message to stderr.
func (s *Server) sudo(args string, stdin io.Reader, stderr io.Writer) (string, int) {
	options, command, found := strings.Cut(args, "-- ")
	if !found {
		_, _ = io.WriteString(stderr, "usage: sudo [options] -- command\n")
		return "", 1
	}
	if s.opts.SudoPassword == "" {
		return command, 0
	}

	flags := strings.Fields(options)
	switch {
	case slices.Contains(flags, "-S"):
		if readLine(stdin) != s.opts.SudoPassword {
			_, _ = io.WriteString(stderr, "Sorry, try again.\n"+
				"sudo: 1 incorrect password attempt\n")
			return "", 1
		}
		return command, 0
	case slices.Contains(flags, "-n"):
		_, _ = io.WriteString(stderr, "sudo: a password is required\n")
		return "", 1
	default:
		_, _ = io.WriteString(stderr, "sudo: a terminal is required to read the password\n")
		return "", 1
	}
}

// readLine reads one line byte by byte, so that the rest of stdin stays unread.
func readLine(r io.Reader) string {
	var line []byte
	b := make([]byte, 1)
	for len(line) < maxPasswordLine {
		n, err := r.Read(b)
		if n == 1 && b[0] == '\n' {
			break
		}
		line = append(line, b[:n]...)
		if err != nil {
			break
		}
	}
	return string(line)
}
