package config

import (
	"fmt"
	"strings"
	"testing"
)

func TestRedaction(t *testing.T) {
	secrets := []string{"join-secret", "agent-secret", "db-password"}
	s := validServer(t)
	s.Token, s.EffectiveToken = "join-secret", "join-secret"
	s.AgentToken, s.EffectiveAgentToken = "agent-secret", "agent-secret"
	s.DatastoreEndpoint = "postgres://kube:db-password@db.example:5432/k8s"

	views := map[string]string{
		"String":         s.String(),
		"%v pointer":     fmt.Sprintf("%v", s),
		"%+v value":      fmt.Sprintf("%+v", *s),
		"%#v":            fmt.Sprintf("%#v", *s),
		"%v agent":       fmt.Sprintf("%v", &s.Agent),
		"%#v agent":      fmt.Sprintf("%#v", s.Agent),
		"Redacted token": s.Redacted().Token + s.Redacted().EffectiveToken,
	}
	for name, view := range views {
		t.Run(name, func(t *testing.T) {
			for _, secret := range secrets {
				if strings.Contains(view, secret) {
					t.Errorf("%s shows %q:\n%s", name, secret, view)
				}
			}
			if !strings.Contains(view, redactedMark) {
				t.Errorf("%s has no %s mark:\n%s", name, redactedMark, view)
			}
		})
	}
}

func TestRedactionKeepsOriginalAndContext(t *testing.T) {
	s := validServer(t)
	s.Token = "join-secret"
	s.DatastoreEndpoint = "postgres://kube:pw@db.example:5432/k8s"
	out := s.String()
	if s.Token != "join-secret" {
		t.Errorf("String changed Token to %q", s.Token)
	}
	for _, want := range []string{"node-name: node-1", "db.example:5432", "https-listen-port"} {
		if !strings.Contains(out, want) {
			t.Errorf("String lacks %q:\n%s", want, out)
		}
	}
}

func TestRedactDSN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"postgres://u:pw@h:5432/db", "postgres://u:" + redactedMark + "@h:5432/db"},
		{"postgres://h:5432/db", "postgres://h:5432/db"},
		{"mysql://u:pw@tcp(h:3306)/db", redactedMark},
		{"u:pw@tcp(h)/db", redactedMark},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := redactDSN(tt.in); got != tt.want {
				t.Errorf("redactDSN(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
