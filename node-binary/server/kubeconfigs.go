package server

import (
	"fmt"
	"os"

	"github.com/lightcluster/lightcluster/internal/kubeconfig"
	"github.com/lightcluster/lightcluster/node-binary/certs"
)

// Kubeconfig files of the embedded components, in the credentials directory.
const (
	adminKubeconfig      = "admin.kubeconfig"
	controllerKubeconfig = "controller-manager.kubeconfig"
	schedulerKubeconfig  = "scheduler.kubeconfig"
)

// writeKubeconfigs renders the kubeconfig of each component and the admin's, all
// pointing at this server's local address.
func (r *runner) writeKubeconfigs() error {
	files := []struct {
		path, cert, key string
		mode            os.FileMode
	}{
		{r.dirs.Cred(adminKubeconfig), certs.AdminCertFile, certs.AdminKeyFile, 0o600},
		{r.dirs.Cred(controllerKubeconfig), certs.ControllerCertFile, certs.ControllerKeyFile, 0o600},
		{r.dirs.Cred(schedulerKubeconfig), certs.SchedulerCertFile, certs.SchedulerKeyFile, 0o600},
	}
	if r.cfg.WriteKubeconfig != "" {
		files = append(files, struct {
			path, cert, key string
			mode            os.FileMode
		}{r.cfg.WriteKubeconfig, certs.AdminCertFile, certs.AdminKeyFile, r.cfg.KubeconfigMode})
	}
	for _, f := range files {
		if err := r.writeKubeconfig(f.path, f.cert, f.key, f.mode); err != nil {
			return err
		}
	}
	return nil
}

func (r *runner) writeKubeconfig(path, certFile, keyFile string, mode os.FileMode) error {
	cert, err := os.ReadFile(r.dirs.TLS(certFile))
	if err != nil {
		return fmt.Errorf("kubeconfig %s: %w", path, err)
	}
	key, err := os.ReadFile(r.dirs.TLS(keyFile))
	if err != nil {
		return fmt.Errorf("kubeconfig %s: %w", path, err)
	}
	data, err := kubeconfig.Admin(kubeconfig.Config{
		ServerURL:     r.localURL(),
		CAPEM:         r.cas.ServerCA.CertPEM(),
		ClientCertPEM: cert,
		ClientKeyPEM:  key,
	})
	if err != nil {
		return fmt.Errorf("kubeconfig %s: %w", path, err)
	}
	return writeFileAtomic(path, data, mode)
}

// localURL is the API server URL for clients on this machine.
func (r *runner) localURL() string {
	return kubeconfig.ServerURL(localIP(r.cfg).String(), r.cfg.HTTPSListenPort)
}
