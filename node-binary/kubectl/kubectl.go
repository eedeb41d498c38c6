package kubectl

import (
	"os"
	"strings"

	// Client authentication plugins, as in the upstream kubectl binary.
	_ "k8s.io/client-go/plugin/pkg/client/auth"
	"k8s.io/component-base/cli"
	"k8s.io/component-base/logs"
	"k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"
)

// DefaultKubeconfig is the admin kubeconfig a lightnode server writes by default.
const DefaultKubeconfig = "/etc/lightnode/lightnode.yaml"

// Main runs kubectl with args (without the program name) and exits the process with
// kubectl's exit code. It never returns.
func Main(args []string) {
	os.Args = append([]string{"kubectl"}, args...)
	useDefaultKubeconfig(args, DefaultKubeconfig)

	if _, err := logs.GlogSetter(cmd.GetLogVerbosity(os.Args)); err != nil {
		util.CheckErr(err)
	}
	command := cmd.NewDefaultKubectlCommand()
	if err := cli.RunNoErrOutput(command); err != nil {
		util.CheckErr(err)
	}
	os.Exit(0)
}

// useDefaultKubeconfig points KUBECONFIG at path when neither KUBECONFIG nor a
// --kubeconfig flag says otherwise and path exists.
func useDefaultKubeconfig(args []string, path string) {
	if _, set := os.LookupEnv("KUBECONFIG"); set || hasKubeconfigFlag(args) {
		return
	}
	if _, err := os.Stat(path); err == nil {
		os.Setenv("KUBECONFIG", path)
	}
}

func hasKubeconfigFlag(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "--kubeconfig" || strings.HasPrefix(a, "--kubeconfig=") {
			return true
		}
	}
	return false
}
