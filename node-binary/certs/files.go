package certs

// Paths of the leaf certificates and keys, relative to <data-dir>/server/tls.
const (
	APIServerCertFile     = "serving-kube-apiserver.crt"
	APIServerKeyFile      = "serving-kube-apiserver.key"
	AdminCertFile         = "client-admin.crt"
	AdminKeyFile          = "client-admin.key"
	ControllerCertFile    = "client-controller-manager.crt"
	ControllerKeyFile     = "client-controller-manager.key"
	SchedulerCertFile     = "client-scheduler.crt"
	SchedulerKeyFile      = "client-scheduler.key"
	KubeletClientCertFile = "client-kube-apiserver.crt"
	KubeletClientKeyFile  = "client-kube-apiserver.key"
	ProxyClientCertFile   = "client-auth-proxy.crt"
	ProxyClientKeyFile    = "client-auth-proxy.key"
	EtcdServerCertFile    = "etcd/server-client.crt"
	EtcdServerKeyFile     = "etcd/server-client.key"
	EtcdPeerCertFile      = "etcd/peer-server-client.crt"
	EtcdPeerKeyFile       = "etcd/peer-server-client.key"
	EtcdClientCertFile    = "etcd/client.crt"
	EtcdClientKeyFile     = "etcd/client.key"
)

// User names and groups the client certificates carry; the API server's default RBAC
// policy grants the components their rights by these names.
const (
	AdminUser         = "system:admin"
	MastersGroup      = "system:masters"
	ControllerUser    = "system:kube-controller-manager"
	SchedulerUser     = "system:kube-scheduler"
	KubeletClientUser = "system:kube-apiserver"
	ProxyClientUser   = "system:auth-proxy"
	EtcdClientUser    = "etcd-client"
)

// Services name groups of leaf certificates, as `lightnode certificate rotate --service`
// takes them. CAs and the service-account key belong to none.
const (
	// ServiceAdmin is the admin's client certificate.
	ServiceAdmin = "admin"
	// ServiceAPIServer is the API server's serving certificate and its client
	// certificate towards kubelets.
	ServiceAPIServer = "api-server"
	// ServiceControllerManager is the controller manager's client certificate.
	ServiceControllerManager = "controller-manager"
	// ServiceScheduler is the scheduler's client certificate.
	ServiceScheduler = "scheduler"
	// ServiceAuthProxy is the client certificate of the aggregation layer's proxy.
	ServiceAuthProxy = "auth-proxy"
	// ServiceEtcd is the serving, peer and client certificates of embedded etcd.
	ServiceEtcd = "etcd"
)

// Services returns every service name, in a fixed order.
func Services() []string {
	return []string{ServiceAdmin, ServiceAPIServer, ServiceControllerManager,
		ServiceScheduler, ServiceAuthProxy, ServiceEtcd}
}
