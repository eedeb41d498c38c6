package main

import (
	"fmt"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lightcluster/lightcluster/node-binary/certs"
)

func newCertificateCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "certificate",
		Short: "Inspect the server's certificates",
	}
	cmd.AddCommand(newCertificateCheckCommand())
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
