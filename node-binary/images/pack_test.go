package images

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
)

// readTar returns the regular files of a tar stream by name and the names in order.
func readTar(t *testing.T, data []byte) (map[string]*tar.Header, map[string][]byte, []string) {
	t.Helper()
	headers, contents := map[string]*tar.Header{}, map[string][]byte{}
	var names []string
	tr := tar.NewReader(bytes.NewReader(data))
	for i := 0; ; i++ {
		if i > 1000 {
			t.Fatal("tar stream has more than 1000 entries")
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return headers, contents, names
		}
		if err != nil {
			t.Fatalf("read tar: %v", err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("read %s: %v", hdr.Name, err)
		}
		headers[hdr.Name], contents[hdr.Name] = hdr, body
		names = append(names, hdr.Name)
	}
}

// blobOf returns the blob that desc points at, after checking its digest and size.
func blobOf(t *testing.T, files map[string][]byte, desc descriptor) []byte {
	t.Helper()
	hexDigest, ok := strings.CutPrefix(desc.Digest, "sha256:")
	if !ok {
		t.Fatalf("digest %q is not sha256", desc.Digest)
	}
	data, ok := files["blobs/sha256/"+hexDigest]
	if !ok {
		t.Fatalf("blob %s missing from the layout", desc.Digest)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != hexDigest {
		t.Fatalf("blob %s holds content with digest %s", hexDigest, got)
	}
	if int64(len(data)) != desc.Size {
		t.Fatalf("blob %s: size %d, descriptor says %d", hexDigest, len(data), desc.Size)
	}
	return data
}

func decode(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
}

func TestPackLayout(t *testing.T) {
	img := Image{
		Ref: "lightcluster.dev/pause:3.10",
		Files: map[string]File{
			"/pause":         {Mode: 0o755, Data: []byte("binary")},
			"/etc/app/a.txt": {Data: []byte("hello")},
		},
		Entrypoint:   []string{"/pause"},
		Architecture: "arm64",
	}
	archive, err := Pack(img)
	if err != nil {
		t.Fatalf("Pack: %v", err)
	}
	_, files, _ := readTar(t, archive)

	var lay layout
	decode(t, files["oci-layout"], &lay)
	if lay.Version != LayoutVersion {
		t.Errorf("oci-layout version %q, want %q", lay.Version, LayoutVersion)
	}

	var idx index
	decode(t, files["index.json"], &idx)
	if idx.SchemaVersion != 2 || idx.MediaType != MediaTypeIndex || len(idx.Manifests) != 1 {
		t.Fatalf("index.json = %+v, want one manifest in a v2 index", idx)
	}
	desc := idx.Manifests[0]
	wantAnnotations := map[string]string{
		AnnotationImageName: "lightcluster.dev/pause:3.10",
		AnnotationRefName:   "3.10",
	}
	for k, want := range wantAnnotations {
		if got := desc.Annotations[k]; got != want {
			t.Errorf("annotation %s = %q, want %q", k, got, want)
		}
	}
	if p := desc.Platform; p == nil || p.Architecture != "arm64" || p.OS != "linux" {
		t.Errorf("manifest platform = %+v, want linux/arm64", desc.Platform)
	}

	var mf manifest
	decode(t, blobOf(t, files, desc), &mf)
	if mf.MediaType != MediaTypeManifest || mf.Config.MediaType != MediaTypeConfig {
		t.Errorf("manifest media types = %q, %q", mf.MediaType, mf.Config.MediaType)
	}
	if len(mf.Layers) != 1 || mf.Layers[0].MediaType != MediaTypeLayer {
		t.Fatalf("manifest layers = %+v, want one uncompressed layer", mf.Layers)
	}

	var cfg imageConfig
	decode(t, blobOf(t, files, mf.Config), &cfg)
	if cfg.Architecture != "arm64" || cfg.OS != "linux" {
		t.Errorf("config platform = %s/%s, want linux/arm64", cfg.OS, cfg.Architecture)
	}
	if strings.Join(cfg.Config.Entrypoint, " ") != "/pause" {
		t.Errorf("entrypoint = %q, want [/pause]", cfg.Config.Entrypoint)
	}
	if len(cfg.Config.Env) != 1 || cfg.Config.Env[0] != DefaultPath {
		t.Errorf("env = %q, want the default PATH", cfg.Config.Env)
	}
	if len(cfg.RootFS.DiffIDs) != 1 || cfg.RootFS.DiffIDs[0] != mf.Layers[0].Digest {
		t.Errorf("diff IDs %q, want the uncompressed layer %s", cfg.RootFS.DiffIDs,
			mf.Layers[0].Digest)
	}

	checkLayer(t, blobOf(t, files, mf.Layers[0]))
}

// checkLayer checks the layer of TestPackLayout's image: its files with their modes and
// content, and each parent directory before what it holds.
func checkLayer(t *testing.T, layer []byte) {
	t.Helper()
	headers, contents, names := readTar(t, layer)
	wantOrder := []string{"etc/", "etc/app/", "etc/app/a.txt", "pause"}
	if strings.Join(names, " ") != strings.Join(wantOrder, " ") {
		t.Errorf("layer entries %q, want %q", names, wantOrder)
	}
	tests := []struct {
		name string
		typ  byte
		mode int64
		data string
	}{
		{"etc/", tar.TypeDir, 0o755, ""},
		{"etc/app/", tar.TypeDir, 0o755, ""},
		{"etc/app/a.txt", tar.TypeReg, 0o644, "hello"},
		{"pause", tar.TypeReg, 0o755, "binary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hdr, ok := headers[tt.name]
			if !ok {
				t.Fatalf("layer lacks %s", tt.name)
			}
			if hdr.Typeflag != tt.typ || hdr.Mode != tt.mode || hdr.Uid != 0 || hdr.Gid != 0 {
				t.Errorf("header = type %c mode %o uid %d gid %d, want type %c mode %o root",
					hdr.Typeflag, hdr.Mode, hdr.Uid, hdr.Gid, tt.typ, tt.mode)
			}
			if got := string(contents[tt.name]); got != tt.data {
				t.Errorf("content %q, want %q", got, tt.data)
			}
		})
	}
}

func TestPackIsDeterministic(t *testing.T) {
	files := map[string]File{"/a": {Data: []byte("a")}, "/b/c": {Data: []byte("c")}}
	first, err := PackImage("example.test/app:v1", files, []string{"/a"})
	if err != nil {
		t.Fatalf("PackImage: %v", err)
	}
	for i := range 5 {
		again, err := PackImage("example.test/app:v1", files, []string{"/a"})
		if err != nil {
			t.Fatalf("PackImage %d: %v", i, err)
		}
		if !bytes.Equal(first, again) {
			t.Fatalf("PackImage %d gave different bytes for the same image", i)
		}
	}
}

func TestPackNormalizesReference(t *testing.T) {
	archive, err := PackImage("busybox:1", map[string]File{"/x": {}}, []string{"/x"})
	if err != nil {
		t.Fatalf("PackImage: %v", err)
	}
	_, files, _ := readTar(t, archive)
	var idx index
	decode(t, files["index.json"], &idx)
	const want = "docker.io/library/busybox:1"
	if got := idx.Manifests[0].Annotations[AnnotationImageName]; got != want {
		t.Errorf("image name %q, want %s", got, want)
	}
}

func TestPackRejectsInvalidImages(t *testing.T) {
	ok := map[string]File{"/x": {Data: []byte("x")}}
	tests := []struct {
		name       string
		ref        string
		files      map[string]File
		entrypoint []string
	}{
		{"no tag", "lightcluster.dev/pause", ok, []string{"/x"}},
		{"digest instead of tag", "lightcluster.dev/pause@sha256:" + strings.Repeat("a", 64),
			ok, []string{"/x"}},
		{"bad reference", "Light Cluster/pause:1", ok, []string{"/x"}},
		{"no entrypoint", "lightcluster.dev/pause:1", ok, nil},
		{"relative path", "lightcluster.dev/pause:1", map[string]File{"x": {}}, []string{"/x"}},
		{"unclean path", "lightcluster.dev/pause:1", map[string]File{"/a/../x": {}},
			[]string{"/x"}},
		{"root path", "lightcluster.dev/pause:1", map[string]File{"/": {}}, []string{"/x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := PackImage(tt.ref, tt.files, tt.entrypoint)
			if !errors.Is(err, ErrInvalidImage) {
				t.Fatalf("PackImage error = %v, want ErrInvalidImage", err)
			}
		})
	}
}

func TestPackKeepsGivenPath(t *testing.T) {
	img := Image{Ref: "example.test/a:1", Files: map[string]File{"/a": {Mode: fs.ModePerm}},
		Entrypoint: []string{"/a"}, Env: []string{"PATH=/bin", "A=1"}}
	archive, err := Pack(img)
	if err != nil {
		t.Fatalf("Pack: %v", err)
	}
	_, files, _ := readTar(t, archive)
	var idx index
	decode(t, files["index.json"], &idx)
	var mf manifest
	decode(t, blobOf(t, files, idx.Manifests[0]), &mf)
	var cfg imageConfig
	decode(t, blobOf(t, files, mf.Config), &cfg)
	if strings.Join(cfg.Config.Env, " ") != "PATH=/bin A=1" {
		t.Errorf("env = %q, want the given PATH and A=1 only", cfg.Config.Env)
	}
}
