package ssh

import (
	"errors"
	"strings"
	"testing"

	"github.com/lightcluster/lightcluster/internal/sshtest"
)

func TestRunSudo(t *testing.T) {
	const password = "s3cret-Sudo-Pw"
	tests := []struct {
		name           string
		serverPassword string
		clientPassword string
		wantErr        error
	}{
		{name: "no password needed, none given"},
		{name: "no password needed, one given", clientPassword: password},
		{name: "right password", serverPassword: password, clientPassword: password},
		{name: "wrong password", serverPassword: password, clientPassword: "not-it",
			wantErr: ErrSudoPassword},
		{name: "password needed, none given", serverPassword: password,
			wantErr: ErrSudoPasswordRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTestHost(t, sshtest.Options{SudoPassword: tt.serverPassword})
			h.cfg.SudoPassword = []byte(tt.clientPassword)
			client := h.dial(t)

			// The command echoes its stdin: the password must never reach it.
			cmd := Command{Name: "echo stdin", Script: "cat", Sudo: true,
				Stdin: strings.NewReader("payload\n")}
			res, err := client.Run(testContext(t), cmd)

			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Run() = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				for _, secret := range []string{password, tt.clientPassword} {
					if secret != "" && strings.Contains(err.Error(), secret) {
						t.Errorf("error %q contains the sudo password", err)
					}
				}
				return
			}
			if res.Stdout != "payload\n" {
				t.Errorf("command read %q from stdin, want only the payload", res.Stdout)
			}
		})
	}
}

func TestRunSudoChecksPasswordOnce(t *testing.T) {
	h := newTestHost(t, sshtest.Options{SudoPassword: "pw"})
	h.cfg.SudoPassword = []byte("pw")
	client := h.dial(t)

	for i := range 3 {
		if _, err := client.Run(testContext(t), Command{Script: "true", Sudo: true}); err != nil {
			t.Fatalf("Run() #%d = %v", i, err)
		}
	}
	// Two checks (without and with the password), then one exec per command.
	if n := h.srv.Execs(); n != 5 {
		t.Errorf("server ran %d commands, want 5", n)
	}
}
