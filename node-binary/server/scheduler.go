package server

import (
	"context"
	"fmt"

	"k8s.io/client-go/tools/cache"
	sched "k8s.io/kubernetes/cmd/kube-scheduler/app"
	schedoptions "k8s.io/kubernetes/cmd/kube-scheduler/app/options"
)

// schedulerArgs are the kube-scheduler flags of this server.
func (r *runner) schedulerArgs() args {
	kubeconfig := r.dirs.Cred(schedulerKubeconfig)
	a := args{
		"kubeconfig":                kubeconfig,
		"authentication-kubeconfig": kubeconfig,
		"authorization-kubeconfig":  kubeconfig,
		"secure-port":               "0",
		"profiling":                 "false",
	}
	for k, v := range r.leaderElectionArgs() {
		a[k] = v
	}
	return a
}

// runScheduler runs kube-scheduler until ctx is done.
func (r *runner) runScheduler(ctx context.Context) error {
	opts := schedoptions.NewOptions()
	flags := r.schedulerArgs().with(r.cfg.KubeSchedulerArg)
	if err := parseInto("kube-scheduler", *opts.Flags, flags); err != nil {
		return err
	}
	if err := opts.ComponentGlobalsRegistry.Set(); err != nil {
		return fmt.Errorf("feature gates: %w", err)
	}
	name, err := cache.NewInformerName("kube-scheduler")
	if err != nil {
		return err
	}
	opts.InformerName = name

	cc, s, err := sched.Setup(ctx, opts)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	err = sched.Run(ctx, cc, s)
	if ctx.Err() != nil {
		return nil
	}
	return err
}
