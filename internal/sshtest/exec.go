package sshtest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// killedStatus is the exit status of a command killed by SIGKILL.
const killedStatus = 128 + int(syscall.SIGKILL)

// process is the local process behind one session; a signal request may kill it.
type process struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	killed bool
}

// start starts cmd unless the session was killed already.
func (p *process) start(cmd *exec.Cmd) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.killed {
		return errors.New("killed before start")
	}
	p.cmd = cmd
	return cmd.Start()
}

// kill kills the process group of the running command.
func (p *process) kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.killed = true
	if p.cmd != nil && p.cmd.Process != nil {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	}
}

// handleSession serves the requests of one session channel.
func (s *Server) handleSession(
	conn net.Conn, channel gossh.Channel, requests <-chan *gossh.Request,
) {
	defer s.handlers.Done()
	defer func() { _ = channel.Close() }()

	proc := &process{}
	for req := range requests {
		switch req.Type {
		case "exec":
			var payload struct{ Command string }
			if err := gossh.Unmarshal(req.Payload, &payload); err != nil {
				_ = req.Reply(false, nil)
				continue
			}
			_ = req.Reply(true, nil)
			s.countExec()
			s.handlers.Add(1)
			go s.runExec(conn, channel, proc, payload.Command)
		case "signal":
			proc.kill()
		default:
			if req.WantReply {
				_ = req.Reply(false, nil)
			}
		}
	}
}

// countExec counts an exec request.
func (s *Server) countExec() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.execs++
}

// runExec runs one command and reports its exit status.
func (s *Server) runExec(conn net.Conn, channel gossh.Channel, proc *process, command string) {
	defer s.handlers.Done()
	defer func() { _ = channel.Close() }()

	stdin := s.stdinFor(conn, channel)
	status := s.execute(proc, command, stdin, channel, channel.Stderr())
	payload := gossh.Marshal(struct{ Status uint32 }{uint32(status)})
	_, _ = channel.SendRequest("exit-status", false, payload)
}

// stdinFor returns the command's stdin, which drops the connection after the configured
// number of bytes.
func (s *Server) stdinFor(conn net.Conn, channel gossh.Channel) io.Reader {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dropAfter <= 0 {
		return channel
	}
	return &dropReader{r: channel, left: s.dropAfter, drop: func() { _ = conn.Close() }}
}

// execute applies configured failures and sudo, then runs the command with sh -c.
func (s *Server) execute(
	proc *process, command string, stdin io.Reader, stdout, stderr io.Writer,
) int {
	if f, ok := s.failureFor(command); ok {
		_, _ = io.WriteString(stderr, f.stderr)
		return f.status
	}

	if rest, ok := strings.CutPrefix(command, "sudo "); ok {
		inner, status := s.sudo(rest, stdin, stderr)
		if status != 0 {
			return status
		}
		command = inner
	}

	return runShell(proc, command, stdin, stdout, stderr)
}

// failureFor returns the configured failure whose match the command contains.
func (s *Server) failureFor(command string) (failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.failures {
		if strings.Contains(command, f.match) {
			return f, true
		}
	}
	return failure{}, false
}

// runShell runs command with sh -c in its own process group and returns its exit status.
func runShell(proc *process, command string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := exec.Command("sh", "-c", command)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A command that exits without reading all of stdin must not wait for the client.
	cmd.WaitDelay = time.Second

	if err := proc.start(cmd); err != nil {
		_, _ = fmt.Fprintf(stderr, "sh: %v\n", err)
		return killedStatus
	}
	_ = cmd.Wait()
	if status, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && status.Signaled() {
		return 128 + int(status.Signal())
	}
	return cmd.ProcessState.ExitCode()
}

// dropReader passes on at most left bytes, then drops the connection.
type dropReader struct {
	r    io.Reader
	left int64
	drop func()
}

// Read reads from the underlying reader until the byte budget is spent.
func (d *dropReader) Read(p []byte) (int, error) {
	if d.left <= 0 {
		d.drop()
		return 0, io.EOF
	}
	if int64(len(p)) > d.left {
		p = p[:d.left]
	}
	n, err := d.r.Read(p)
	d.left -= int64(n)
	return n, err
}
