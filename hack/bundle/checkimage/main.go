// Command checkimage imports an image archive with containerd's own import code into a
// scratch content store and checks that it yields the expected image name with every
// blob present for the given platform, so that a node's containerd will accept it.
//
//	checkimage -platform linux/amd64 pause.tar lightcluster.dev/pause:3.10
package main

import (
	"context"
	// The content store hashes blobs through go-digest, which needs SHA-256 registered.
	_ "crypto/sha256"
	"flag"
	"fmt"
	"os"
	"slices"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/core/images/archive"
	"github.com/containerd/containerd/v2/plugins/content/local"
	"github.com/containerd/log"
	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func main() {
	platform := flag.String("platform", "linux/amd64", "platform the image must provide")
	flag.Parse()
	// The scratch store warns that its file system lacks fs-verity; that is no finding.
	_ = log.SetLevel("error")
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: checkimage [-platform OS/ARCH] ARCHIVE NAME")
		os.Exit(2)
	}
	if err := checkArchive(context.Background(), flag.Arg(0), flag.Arg(1), *platform); err != nil {
		fmt.Fprintln(os.Stderr, "checkimage:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: containerd imports %s with all content for %s\n",
		flag.Arg(0), flag.Arg(1), *platform)
}

// checkArchive imports the archive at path and checks that it names the image want and
// holds its manifest, config and layers for platform.
func checkArchive(ctx context.Context, path, want, platform string) error {
	matcher, err := platforms.Parse(platform)
	if err != nil {
		return fmt.Errorf("parse platform: %w", err)
	}
	dir, err := os.MkdirTemp("", "checkimage-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	store, err := local.NewStore(dir)
	if err != nil {
		return err
	}

	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	indexDesc, err := archive.ImportIndex(ctx, store, f)
	if err != nil {
		return fmt.Errorf("import %s: %w", path, err)
	}
	target, err := namedManifest(ctx, store, indexDesc, want)
	if err != nil {
		return fmt.Errorf("import %s: %w", path, err)
	}
	return checkContent(ctx, store, target, platforms.Only(matcher))
}

// namedManifest returns the manifest of the imported index that containerd names want.
func namedManifest(ctx context.Context, store content.Store, indexDesc ocispec.Descriptor,
	want string) (ocispec.Descriptor, error) {
	children, err := images.Children(ctx, store, indexDesc)
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("read index: %w", err)
	}
	var names []string
	for _, m := range children {
		name := m.Annotations[images.AnnotationImageName]
		if name == want {
			return m, nil
		}
		names = append(names, name)
	}
	return ocispec.Descriptor{}, fmt.Errorf("no image named %s; names: %q", want, names)
}

// checkContent checks that the image's content for the platform is complete, that both
// the index and the config name the platform, and that the config lists one diff ID per
// layer.
func checkContent(ctx context.Context, store content.Store, target ocispec.Descriptor,
	platform platforms.MatchComparer) error {
	available, _, _, missing, err := images.Check(ctx, store, target, platform)
	if err != nil {
		return fmt.Errorf("check content: %w", err)
	}
	if !available || len(missing) > 0 {
		return fmt.Errorf("content missing: %v", missing)
	}
	manifest, err := images.Manifest(ctx, store, target, platform)
	if err != nil {
		return fmt.Errorf("read manifest: %w", err)
	}
	diffIDs, err := images.RootFS(ctx, store, manifest.Config)
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	configPlatform, err := images.ConfigPlatform(ctx, store, manifest.Config)
	if err != nil {
		return fmt.Errorf("read config platform: %w", err)
	}
	if !platform.Match(configPlatform) || target.Platform == nil ||
		!platform.Match(*target.Platform) {
		return fmt.Errorf("image is for %s, index says %v", platforms.Format(configPlatform),
			target.Platform)
	}
	if len(diffIDs) != len(manifest.Layers) {
		return fmt.Errorf("config lists %d diff IDs for %d layers", len(diffIDs),
			len(manifest.Layers))
	}
	if !slices.ContainsFunc(manifest.Layers, func(l ocispec.Descriptor) bool {
		return images.IsLayerType(l.MediaType)
	}) {
		return fmt.Errorf("manifest has no layer of a known media type")
	}
	return nil
}
