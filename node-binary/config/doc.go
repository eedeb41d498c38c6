// Package config holds the settings of the lightnode binary for its server and agent
// subcommands, and loads them from four sources in rising precedence: built-in defaults,
// the config file with its drop-in directory, LIGHTNODE_* environment variables, and
// command-line flags.
//
// Every setting has one name used everywhere: the flag --node-label, the config key
// node-label, the environment variable LIGHTNODE_NODE_LABEL. A config file is
// /etc/lightnode/config.yaml by default, followed by every config.yaml.d/*.yaml beside
// it in lexical order. A later file replaces a value set by an earlier one; a list key
// written with a "+" suffix (node-label+) appends to the list instead.
//
// A command binds the flags with BindServerFlags or BindAgentFlags and, once cobra has
// parsed them, calls LoadServer or LoadAgent. Those merge the sources, fill in derived
// defaults (Complete) and check the result (Validate). A System value carries the
// environment, file system and hostname that loading reads, so tests can provide
// their own.
//
// Server and Agent print with their tokens hidden, so logging them is safe.
package config
