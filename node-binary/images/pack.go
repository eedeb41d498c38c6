package images

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"time"
)

// blob is one content-addressed file of the layout.
type blob struct {
	digest string
	data   []byte
}

// newBlob hashes data into a blob.
func newBlob(data []byte) blob {
	sum := sha256.Sum256(data)
	return blob{digest: "sha256:" + hex.EncodeToString(sum[:]), data: data}
}

// describe returns the descriptor of b with the given media type.
func (b blob) describe(mediaType string) descriptor {
	return descriptor{MediaType: mediaType, Digest: b.digest, Size: int64(len(b.data))}
}

// Pack packs img into an OCI image archive and returns the archive's bytes.
func Pack(img Image) ([]byte, error) {
	img, tag, err := img.normalized()
	if err != nil {
		return nil, err
	}

	// The layer is stored uncompressed, so its digest is also its diff ID.
	layerData, err := layerTar(img.Files)
	if err != nil {
		return nil, fmt.Errorf("pack layer of %s: %w", img.Ref, err)
	}
	layer := newBlob(layerData)

	config, err := jsonBlob(imageConfig{
		Architecture: img.Architecture,
		OS:           img.OS,
		Config:       runtimeConfig{Entrypoint: img.Entrypoint, Env: img.Env},
		RootFS:       rootFS{Type: "layers", DiffIDs: []string{layer.digest}},
	})
	if err != nil {
		return nil, fmt.Errorf("pack config of %s: %w", img.Ref, err)
	}

	mf, err := jsonBlob(manifest{
		SchemaVersion: 2,
		MediaType:     MediaTypeManifest,
		Config:        config.describe(MediaTypeConfig),
		Layers:        []descriptor{layer.describe(MediaTypeLayer)},
	})
	if err != nil {
		return nil, fmt.Errorf("pack manifest of %s: %w", img.Ref, err)
	}

	idx := index{SchemaVersion: 2, MediaType: MediaTypeIndex, Manifests: []descriptor{
		manifestDescriptor(mf, img, tag),
	}}
	return layoutTar(idx, []blob{config, mf, layer})
}

// manifestDescriptor describes the manifest blob in index.json, with the image's
// platform and name.
func manifestDescriptor(mf blob, img Image, tag string) descriptor {
	desc := mf.describe(MediaTypeManifest)
	desc.Platform = &platform{Architecture: img.Architecture, OS: img.OS}
	desc.Annotations = map[string]string{AnnotationImageName: img.Ref, AnnotationRefName: tag}
	return desc
}

// jsonBlob encodes v as a blob.
func jsonBlob(v any) (blob, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return blob{}, err
	}
	return newBlob(data), nil
}

// layoutTar writes the OCI layout holding idx and blobs as a tar stream.
func layoutTar(idx index, blobs []blob) ([]byte, error) {
	layoutData, err := json.Marshal(layout{Version: LayoutVersion})
	if err != nil {
		return nil, err
	}
	indexData, err := json.Marshal(idx)
	if err != nil {
		return nil, err
	}

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	entries := []tarEntry{
		{name: "oci-layout", mode: 0o644, data: layoutData},
		{name: "index.json", mode: 0o644, data: indexData},
		{name: "blobs/", dir: true},
		{name: "blobs/sha256/", dir: true},
	}
	for _, b := range blobs {
		name := "blobs/sha256/" + b.digest[len("sha256:"):]
		entries = append(entries, tarEntry{name: name, mode: 0o644, data: b.data})
	}
	if err := writeEntries(tw, entries); err != nil {
		return nil, fmt.Errorf("write image layout: %w", err)
	}
	return buf.Bytes(), nil
}

// layerTar writes files, with their parent directories, as a layer tar stream.
func layerTar(files map[string]File) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := writeEntries(tw, layerEntries(files)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// layerEntries lists the tar entries of a layer in a stable order: every parent
// directory before the files inside it, paths relative to the root.
func layerEntries(files map[string]File) []tarEntry {
	dirs := map[string]bool{}
	var entries []tarEntry
	for name, f := range files {
		for dir := path.Dir(name); dir != "/"; dir = path.Dir(dir) {
			dirs[dir] = true
		}
		mode := f.Mode.Perm()
		if mode == 0 {
			mode = 0o644
		}
		entries = append(entries, tarEntry{name: name[1:], mode: int64(mode), data: f.Data})
	}
	for dir := range dirs {
		entries = append(entries, tarEntry{name: dir[1:] + "/", mode: 0o755, dir: true})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	return entries
}

// tarEntry is one file or directory of a tar stream.
type tarEntry struct {
	name string
	mode int64
	dir  bool
	data []byte
}

// writeEntries writes entries owned by root with a fixed modification time, so that
// the stream depends on the content only, and closes the writer.
func writeEntries(tw *tar.Writer, entries []tarEntry) error {
	for _, e := range entries {
		hdr := &tar.Header{
			Name:    e.name,
			Mode:    e.mode,
			ModTime: time.Unix(0, 0).UTC(),
			Format:  tar.FormatPAX,
		}
		if e.dir {
			hdr.Typeflag, hdr.Mode = tar.TypeDir, 0o755
		} else {
			hdr.Typeflag, hdr.Size = tar.TypeReg, int64(len(e.data))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("write header of %s: %w", e.name, err)
		}
		if _, err := tw.Write(e.data); err != nil {
			return fmt.Errorf("write %s: %w", e.name, err)
		}
	}
	return tw.Close()
}
