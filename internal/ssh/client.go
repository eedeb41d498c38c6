package ssh

import (
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// keepAliveRequest is the global request OpenSSH answers, with failure, to prove that
// the connection is alive.
const keepAliveRequest = "keepalive@openssh.com"

// Client is a logged-in SSH connection to one host. Its methods may be called
// concurrently; each command runs in its own session.
type Client struct {
	cfg     Config
	conn    *gossh.Client
	hostKey HostKey

	stop      chan struct{}
	closeOnce sync.Once

	sudoMu      sync.Mutex
	sudoChecked bool
	sudoMode    sudoMode
}

// newClient wraps an established connection and starts its keepalives.
func newClient(cfg Config, conn *gossh.Client, hostKey HostKey) *Client {
	c := &Client{cfg: cfg, conn: conn, hostKey: hostKey, stop: make(chan struct{})}
	go c.keepAlive()
	return c
}

// HostKey returns the key the host presented; a caller that had no pinned or recorded
// key records this one.
func (c *Client) HostKey() HostKey {
	return c.hostKey
}

// Close closes the connection; commands still running fail with ErrConnectionLost.
func (c *Client) Close() error {
	var err error
	c.closeOnce.Do(func() {
		close(c.stop)
		err = c.conn.Close()
	})
	return err
}

// keepAlive sends a keepalive request every interval and closes the connection when
// one gets no answer within an interval.
func (c *Client) keepAlive() {
	ticker := time.NewTicker(c.cfg.KeepAlive)
	defer ticker.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-ticker.C:
		}
		if !c.answers(c.cfg.KeepAlive) {
			_ = c.Close()
			return
		}
	}
}

// answers reports whether the host replies to a keepalive request within timeout.
func (c *Client) answers(timeout time.Duration) bool {
	replied := make(chan bool, 1)
	go func() { replied <- c.alive() }()

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case ok := <-replied:
		return ok
	case <-timer.C:
		return false
	}
}

// alive sends a keepalive request and reports whether the connection carried it; any
// reply, even a refusal, proves the connection works.
func (c *Client) alive() bool {
	_, _, err := c.conn.SendRequest(keepAliveRequest, true, nil)
	return err == nil
}
