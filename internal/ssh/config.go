package ssh

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// Defaults applied by Config.SetDefaults.
const (
	// DefaultPort is the SSH port.
	DefaultPort = 22
	// DefaultUser is the login user.
	DefaultUser = "root"
	// DefaultDialTimeout bounds the TCP connection and handshake.
	DefaultDialTimeout = 10 * time.Second
	// DefaultCommandTimeout bounds one command, long enough to upload a binary over
	// a slow link.
	DefaultCommandTimeout = 10 * time.Minute
	// DefaultKeepAlive is the interval between keepalive requests.
	DefaultKeepAlive = 30 * time.Second
)

// Config says how to reach and log in to one host.
type Config struct {
	// Address is the host name or IP address of the host.
	Address string
	// Port is the SSH port; SetDefaults makes it 22.
	Port int
	// User is the login user; SetDefaults makes it root.
	User string
	// PrivateKey is the PEM or OpenSSH encoded private key used to log in.
	PrivateKey []byte
	// Passphrase decrypts PrivateKey when it is protected.
	Passphrase []byte
	// HostKey is the pinned host public key in authorized_keys format; when set, only
	// this key is accepted.
	HostKey string
	// KnownHostKey is the host key recorded on an earlier connection, in
	// authorized_keys format; it is used when HostKey is empty.
	KnownHostKey string
	// SudoPassword is given to sudo for commands that run with Sudo.
	SudoPassword []byte
	// DialTimeout bounds the TCP connection and SSH handshake.
	DialTimeout time.Duration
	// CommandTimeout bounds each command that does not set its own timeout.
	CommandTimeout time.Duration
	// KeepAlive is the interval between keepalive requests; the connection is closed
	// when a request gets no reply within one interval.
	KeepAlive time.Duration
}

// SetDefaults fills in the port, user and durations left at their zero value.
func (c *Config) SetDefaults() {
	if c.Port == 0 {
		c.Port = DefaultPort
	}
	if c.User == "" {
		c.User = DefaultUser
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	if c.CommandTimeout == 0 {
		c.CommandTimeout = DefaultCommandTimeout
	}
	if c.KeepAlive == 0 {
		c.KeepAlive = DefaultKeepAlive
	}
}

// Validate reports every invalid field by name; it does not decrypt the private key.
func (c *Config) Validate() error {
	var errs []error
	if c.Address == "" || strings.ContainsAny(c.Address, " \t\r\n") {
		errs = append(errs, fmt.Errorf("address %q: must be a host name or IP address",
			c.Address))
	}
	if c.Port < 1 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("port %d: must be between 1 and 65535", c.Port))
	}
	if c.User == "" || strings.ContainsAny(c.User, " \t\r\n") {
		errs = append(errs, fmt.Errorf("user %q: must be a user name", c.User))
	}
	if len(c.PrivateKey) == 0 {
		errs = append(errs, errors.New("privateKey: must be set"))
	}
	if bytes.ContainsAny(c.SudoPassword, "\r\n") {
		errs = append(errs, errors.New("sudoPassword: must not contain a line break"))
	}
	errs = append(errs, validateHostKey("hostKey", c.HostKey))
	errs = append(errs, validateHostKey("knownHostKey", c.KnownHostKey))
	errs = append(errs, validatePositive("dialTimeout", c.DialTimeout))
	errs = append(errs, validatePositive("commandTimeout", c.CommandTimeout))
	errs = append(errs, validatePositive("keepAlive", c.KeepAlive))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid ssh config: %w", err)
	}
	return nil
}

// validateHostKey checks that an optional host key parses.
func validateHostKey(field, key string) error {
	if key == "" {
		return nil
	}
	if _, err := ParseHostKey(key); err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	return nil
}

// validatePositive checks that a duration is greater than zero.
func validatePositive(field string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%s %s: must be positive", field, d)
	}
	return nil
}

// address returns host:port for dialing.
func (c *Config) address() string {
	return net.JoinHostPort(c.Address, strconv.Itoa(c.Port))
}
