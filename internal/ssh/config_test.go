package ssh

import (
	"strings"
	"testing"
	"time"
)

func TestConfigSetDefaults(t *testing.T) {
	var cfg Config
	cfg.SetDefaults()
	want := Config{Port: 22, User: "root", DialTimeout: 10 * time.Second,
		CommandTimeout: 10 * time.Minute, KeepAlive: 30 * time.Second}
	if cfg.Port != want.Port || cfg.User != want.User || cfg.DialTimeout != want.DialTimeout ||
		cfg.CommandTimeout != want.CommandTimeout || cfg.KeepAlive != want.KeepAlive {
		t.Errorf("SetDefaults() = %+v, want %+v", cfg, want)
	}

	kept := Config{Port: 2222, User: "deploy", DialTimeout: time.Second}
	kept.SetDefaults()
	if kept.Port != 2222 || kept.User != "deploy" || kept.DialTimeout != time.Second {
		t.Errorf("SetDefaults() overwrote set fields: %+v", kept)
	}
}

func TestConfigValidate(t *testing.T) {
	valid := func() Config {
		cfg := Config{Address: "10.0.0.1", PrivateKey: []byte("key")}
		cfg.SetDefaults()
		return cfg
	}
	tests := []struct {
		name   string
		modify func(*Config)
		field  string
	}{
		{name: "valid", modify: func(*Config) {}},
		{name: "no address", modify: func(c *Config) { c.Address = "" }, field: "address"},
		{name: "address with space", modify: func(c *Config) { c.Address = "a b" },
			field: "address"},
		{name: "port zero", modify: func(c *Config) { c.Port = 0 }, field: "port"},
		{name: "port too big", modify: func(c *Config) { c.Port = 70000 }, field: "port"},
		{name: "no user", modify: func(c *Config) { c.User = "" }, field: "user"},
		{name: "no key", modify: func(c *Config) { c.PrivateKey = nil }, field: "privateKey"},
		{name: "bad pinned key", modify: func(c *Config) { c.HostKey = "ssh-ed25519 !!" },
			field: "hostKey"},
		{name: "bad known key", modify: func(c *Config) { c.KnownHostKey = "nonsense" },
			field: "knownHostKey"},
		{name: "sudo password with newline",
			modify: func(c *Config) { c.SudoPassword = []byte("pw\nrm -rf") },
			field:  "sudoPassword"},
		{name: "negative dial timeout", modify: func(c *Config) { c.DialTimeout = -1 },
			field: "dialTimeout"},
		{name: "zero command timeout", modify: func(c *Config) { c.CommandTimeout = 0 },
			field: "commandTimeout"},
		{name: "zero keepalive", modify: func(c *Config) { c.KeepAlive = 0 },
			field: "keepAlive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid()
			tt.modify(&cfg)
			err := cfg.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("Validate() = %v, want an error naming %s", err, tt.field)
			}
			if len(cfg.SudoPassword) > 0 && strings.Contains(err.Error(),
				string(cfg.SudoPassword)) {
				t.Errorf("Validate() = %v reveals the sudo password", err)
			}
		})
	}
}
