package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lightcluster/lightcluster/node-binary/certs"
	"github.com/lightcluster/lightcluster/node-binary/config"
	"github.com/lightcluster/lightcluster/node-binary/datastore"
)

func newCertificateCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "certificate",
		Short: "Inspect and rotate the server's certificates",
	}
	cmd.AddCommand(newCertificateCheckCommand(), newCertificateRotateCommand())
	return cmd
}

func newCertificateCheckCommand() *cobra.Command {
	var dataDir string
	cmd := &cobra.Command{
		Use:   "check",
		Short: "List every certificate with its expiry and whether the next start renews it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			list, err := certs.Check(filepath.Join(dataDir, "server", "tls"), nil)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "FILE\tSUBJECT\tKIND\tEXPIRES\tREMAINING\tSTATUS")
			for _, st := range list {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", st.Path, st.Subject, kind(st),
					st.NotAfter.UTC().Format(time.RFC3339), remaining(st.NotAfter), state(st))
			}
			return w.Flush()
		},
	}
	addDataDirFlag(cmd, &dataDir)
	return cmd
}

// dialTimeout bounds the probe of a running server's datastore socket.
const dialTimeout = time.Second

func newCertificateRotateCommand() *cobra.Command {
	var services []string
	cmd := &cobra.Command{
		Use:   "rotate",
		Short: "Move the leaf certificates aside so that the next server start issues new ones",
		Long: "Move the leaf certificates and keys of a stopped server (not the CAs, not the\n" +
			"service-account key) into a dated directory under <data-dir>/server/tls, so\n" +
			"that the next start of lightnode server issues new ones from the same CAs.\n" +
			"The data dir, bind address and port come from the server's configuration.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := certs.CheckServices(services); err != nil {
				return fmt.Errorf("--service: %w", err)
			}
			cfg, err := config.LoadServer(cmd, args, config.OS())
			if err != nil {
				return err
			}
			if err := checkServerStopped(cfg); err != nil {
				return err
			}

			dir := filepath.Join(cfg.DataDir, "server", "tls")
			rot, err := certs.Rotate(dir, services, nil)
			if err == nil || len(rot.Moved) > 0 {
				printRotation(cmd.OutOrStdout(), dir, rot)
			}
			return err
		},
	}
	cmd.Flags().StringSliceVar(&services, "service", nil, "rotate only the certificates of "+
		"this service: "+strings.Join(certs.Services(), ", ")+" (repeatable; default: all)")
	addServerLocationFlags(cmd)
	return cmd
}

// addServerLocationFlags defines the server flags that say where its state and its
// listener are; config.LoadServer merges them with its config files and environment.
func addServerLocationFlags(cmd *cobra.Command) {
	var dataDir, configFile, bindAddress string
	var port int
	addDataDirFlag(cmd, &dataDir)
	cmd.Flags().StringVar(&configFile, "config", config.DefaultConfigFile,
		"the server's config file")
	cmd.Flags().StringVar(&bindAddress, "bind-address", config.DefaultBindAddress,
		"address the server listens on")
	cmd.Flags().IntVar(&port, "https-listen-port", config.DefaultHTTPSListenPort,
		"port of the server's API")
}

// checkServerStopped fails when the server of cfg seems to run: its API port on its
// bind address is taken, or its SQLite datastore answers on its socket. The server
// holds no lock file; these are what it holds while it runs.
func checkServerStopped(cfg *config.Server) error {
	addr := net.JoinHostPort(cfg.BindIP.String(), strconv.Itoa(cfg.HTTPSListenPort))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("stop lightnode server first: port %s is in use: %w", addr,
			errors.Unwrap(err))
	}
	l.Close()

	socket := filepath.Join(cfg.DataDir, "server", "db", datastore.KineSocket)
	if conn, err := net.DialTimeout("unix", socket, dialTimeout); err == nil {
		conn.Close()
		return fmt.Errorf("stop lightnode server first: its datastore answers on %s", socket)
	}
	return nil
}

// printRotation says what Rotate moved, also when it stopped part way.
func printRotation(w io.Writer, dir string, rot certs.Rotation) {
	if len(rot.Moved) == 0 {
		fmt.Fprintf(w, "No leaf certificates to move in %s\n", dir)
		return
	}
	fmt.Fprintf(w, "Moved %d files to %s:\n", len(rot.Moved), rot.BackupDir)
	for _, name := range rot.Moved {
		fmt.Fprintf(w, "  %s\n", name)
	}
	fmt.Fprintln(w, "The next start of lightnode server issues new ones.")
}

func kind(st certs.Status) string {
	if st.IsCA {
		return "CA"
	}
	return "leaf"
}

func remaining(t time.Time) string {
	d := time.Until(t)
	if d < 0 {
		return "expired"
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func state(st certs.Status) string {
	switch {
	case time.Now().After(st.NotAfter):
		return "EXPIRED"
	case st.Renew:
		return "renews on next start"
	}
	return "ok"
}
