// Package provision holds the steps that the operator runs on a machine over SSH to
// make it a lightnode server or agent, check it, and take it apart again.
//
// A Host describes one machine, built from a LightNode and the contents of the
// Secrets it references. Connect logs in with the host key policy of the LightNode
// and returns a Session whose methods are the steps: Facts, EnsureBinary, WriteCAs,
// WriteConfig, Install, Check and Uninstall. Every error names the step and the
// host, and none carries a private key, passphrase, sudo password or token.
package provision
