package join

import "errors"

// Sentinel errors of the join client. Test them with errors.Is.
var (
	// ErrTokenRejected reports that the server refused the token: it is wrong, truncated,
	// or of a role the endpoint does not accept. Retrying with the same token cannot
	// succeed.
	ErrTokenRejected = errors.New("token rejected")
	// ErrCAHashMismatch reports that the CA bundle the server serves is not the one the
	// token pins: the server is not the expected cluster, or the token is out of date.
	// No credential was sent. Retrying cannot succeed.
	ErrCAHashMismatch = errors.New("the server's CA does not match the token")
	// ErrNodePasswordRejected reports that another machine already joined under the
	// node name with a different node password. It clears once the Node is deleted.
	ErrNodePasswordRejected = errors.New("node password rejected")
	// ErrUnavailable reports that the server could not be reached or could not answer
	// for now (connection failure, 5xx, 429). Retrying later may succeed.
	ErrUnavailable = errors.New("server unavailable")
	// ErrBadRequest reports that the server found the request invalid, for instance a
	// node name that is not a DNS subdomain. Retrying the same request cannot succeed.
	ErrBadRequest = errors.New("request refused as invalid")
)

// IsRetriable reports whether err may go away by retrying later, which is the case
// for connection failures and temporary server errors only.
func IsRetriable(err error) bool {
	return errors.Is(err, ErrUnavailable)
}
