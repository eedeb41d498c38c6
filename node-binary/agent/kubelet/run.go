package kubelet

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	cliflag "k8s.io/component-base/cli/flag"
	"k8s.io/kubernetes/cmd/kubelet/app"
	"k8s.io/kubernetes/cmd/kubelet/app/options"
	kubeletconfig "k8s.io/kubernetes/pkg/kubelet/apis/config"
	"k8s.io/kubernetes/pkg/kubelet/apis/config/validation"
	"k8s.io/kubernetes/pkg/kubelet/kubeletconfig/configfiles"
	utilfs "k8s.io/kubernetes/pkg/util/filesystem"
)

// Run runs the kubelet with the configuration file at configFile and the kubelet
// flags args (--kubeconfig, --node-ip, ... and the user's extra flags, which win over
// the file) until ctx is done or the kubelet fails.
func Run(ctx context.Context, configFile string, args []string) error {
	kc, err := loadConfig(ctx, configFile)
	if err != nil {
		return err
	}
	flags := options.NewKubeletFlags()
	fs := pflag.NewFlagSet("kubelet", pflag.ContinueOnError)
	fs.SetNormalizeFunc(cliflag.WordSepNormalizeFunc)
	flags.AddFlags(fs)
	options.AddKubeletConfigFlags(fs, kc)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("kubelet flags: %w", err)
	}

	if err := validate(flags, kc); err != nil {
		return err
	}
	server := &options.KubeletServer{KubeletFlags: *flags, KubeletConfiguration: *kc}
	deps, err := app.UnsecuredDependencies(ctx, server, utilfeature.DefaultFeatureGate)
	if err != nil {
		return fmt.Errorf("kubelet dependencies: %w", err)
	}
	if err := app.Run(ctx, server, deps, utilfeature.DefaultFeatureGate); err != nil {
		return fmt.Errorf("kubelet: %w", err)
	}
	return nil
}

// loadConfig reads the kubelet configuration file into the kubelet's internal type.
func loadConfig(ctx context.Context, path string) (*kubeletconfig.KubeletConfiguration, error) {
	loader, err := configfiles.NewFsLoader(&utilfs.DefaultFs{}, path)
	if err != nil {
		return nil, fmt.Errorf("kubelet config %s: %w", path, err)
	}
	kc, err := loader.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("kubelet config %s: %w", path, err)
	}
	return kc, nil
}

// validate applies the feature gates of kc and checks flags and configuration as the
// kubelet command does.
func validate(flags *options.KubeletFlags, kc *kubeletconfig.KubeletConfiguration) error {
	if err := utilfeature.DefaultMutableFeatureGate.SetFromMap(kc.FeatureGates); err != nil {
		return fmt.Errorf("kubelet feature gates: %w", err)
	}
	if err := options.ValidateKubeletFlags(flags); err != nil {
		return fmt.Errorf("kubelet flags: %w", err)
	}
	if err := validation.ValidateKubeletConfiguration(kc,
		utilfeature.DefaultFeatureGate); err != nil {
		return fmt.Errorf("kubelet config: %w", err)
	}
	return nil
}
