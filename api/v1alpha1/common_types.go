package v1alpha1

// Host is an IPv4 or IPv6 address or a lower-case DNS name. Names made only of digits
// and dots are refused, since they are mistyped addresses rather than names.
//
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=253
// +kubebuilder:validation:XValidation:rule="isIP(self) || (self.matches('^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$') && !self.matches('^[0-9.]+$'))",message="must be an IP address or a lower-case DNS name such as server-1.example.com"
type Host string

// SAN is a name for a TLS certificate: an IP address, or a lower-case DNS name that
// may start with a wildcard label (*.example.com).
//
// +kubebuilder:validation:MinLength=1
// +kubebuilder:validation:MaxLength=253
// +kubebuilder:validation:XValidation:rule="isIP(self) || (self.matches('^(\\\\*\\\\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$') && !self.matches('^[0-9.]+$'))",message="must be an IP address or a lower-case DNS name such as api.example.com or *.example.com"
type SAN string

// SecretKeyRef names one key of a Secret in the namespace of the object that holds
// the reference. References into other namespaces are not possible on purpose.
type SecretKeyRef struct {
	// name is the name of the Secret, in the same namespace as the referring object.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`

	// key is the key inside the Secret's data.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	Key string `json:"key"`
}

// SecretRef names a whole Secret in the namespace of the object that holds the
// reference.
type SecretRef struct {
	// name is the name of the Secret, in the same namespace as the referring object.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
}
