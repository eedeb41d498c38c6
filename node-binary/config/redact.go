package config

import (
	"net/url"

	"sigs.k8s.io/yaml"
)

// redactedMark replaces a secret when a configuration is shown.
const redactedMark = "REDACTED"

// Redacted returns a copy of a with its tokens replaced, fit for logs. The copy shares
// its lists with a.
func (a Agent) Redacted() Agent {
	a.Token = redact(a.Token)
	a.EffectiveToken = redact(a.EffectiveToken)
	return a
}

// Redacted returns a copy of s with its tokens and datastore credentials replaced, fit
// for logs. The copy shares its lists with s.
func (s Server) Redacted() Server {
	s.Agent = s.Agent.Redacted()
	s.AgentToken = redact(s.AgentToken)
	s.EffectiveAgentToken = redact(s.EffectiveAgentToken)
	s.DatastoreEndpoint = redactDSN(s.DatastoreEndpoint)
	return s
}

// String returns the settings as config file YAML with secrets hidden.
func (a Agent) String() string { return toYAML(a.Redacted()) }

// GoString hides secrets from %#v as String does.
func (a Agent) GoString() string { return a.String() }

// String returns the settings as config file YAML with secrets hidden.
func (s Server) String() string { return toYAML(s.Redacted()) }

// GoString hides secrets from %#v as String does.
func (s Server) GoString() string { return s.String() }

// redact hides a non-empty secret and keeps an empty one visible as empty.
func redact(secret string) string {
	if secret == "" {
		return ""
	}
	return redactedMark
}

// redactDSN hides the password of a URL-shaped DSN, or the whole DSN when it does not
// parse as a URL with a host.
func redactDSN(dsn string) string {
	if dsn == "" {
		return ""
	}
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		return redactedMark
	}
	if _, hasPassword := u.User.Password(); hasPassword {
		u.User = url.UserPassword(u.User.Username(), redactedMark)
	}
	return u.String()
}

// toYAML renders v, which holds no secrets, as YAML.
func toYAML(v any) string {
	out, err := yaml.Marshal(v)
	if err != nil {
		return "<unprintable config: " + err.Error() + ">"
	}
	return string(out)
}
