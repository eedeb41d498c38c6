package containerd

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"

	client "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/pkg/archive/compression"
	"github.com/containerd/containerd/v2/pkg/namespaces"
	"github.com/containerd/platforms"
)

// Labels set on imported images: the CRI plugin manages them, and pinned images are
// never removed by the kubelet's image garbage collection.
var importLabels = map[string]string{
	"io.cri-containerd.image":  "managed",
	"io.cri-containerd.pinned": "pinned",
}

// ImportDir imports every regular file of dir as an image archive into Namespace and
// unpacks it for snapshotter. A missing dir holds no images. It returns the names of
// the imported images.
func ImportDir(ctx context.Context, c *client.Client, dir, snapshotter string,
	log *slog.Logger) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("import images: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		got, err := ImportFile(ctx, c, filepath.Join(dir, e.Name()), snapshotter)
		if err != nil {
			return names, err
		}
		log.Info("Imported images", "archive", e.Name(), "images", got)
		names = append(names, got...)
	}
	sort.Strings(names)
	return names, nil
}

// ImportFile imports one archive, docker or OCI, plain or gzip or zstd compressed.
func ImportFile(ctx context.Context, c *client.Client, path, snapshotter string) ([]string,
	error) {
	ctx = namespaces.WithNamespace(ctx, Namespace)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", path, err)
	}
	defer f.Close()
	stream, err := compression.DecompressStream(f)
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", path, err)
	}
	defer stream.Close()

	platform := platforms.Default()
	imgs, err := c.Import(ctx, stream, client.WithImportPlatform(platform),
		client.WithImageLabels(importLabels), client.WithSkipMissing())
	if err != nil {
		return nil, fmt.Errorf("import %s: %w", path, err)
	}
	names := make([]string, 0, len(imgs))
	for _, img := range imgs {
		if err := client.NewImageWithPlatform(c, img, platform).Unpack(ctx,
			snapshotter); err != nil {
			return names, fmt.Errorf("unpack %s from %s: %w", img.Name, path, err)
		}
		names = append(names, img.Name)
	}
	return names, nil
}
