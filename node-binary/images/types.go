package images

// The media types and annotations of the OCI image specification that the archive uses.
const (
	// MediaTypeIndex is the media type of index.json.
	MediaTypeIndex = "application/vnd.oci.image.index.v1+json"
	// MediaTypeManifest is the media type of the image manifest blob.
	MediaTypeManifest = "application/vnd.oci.image.manifest.v1+json"
	// MediaTypeConfig is the media type of the image config blob.
	MediaTypeConfig = "application/vnd.oci.image.config.v1+json"
	// MediaTypeLayer is the media type of an uncompressed layer blob.
	MediaTypeLayer = "application/vnd.oci.image.layer.v1.tar"

	// AnnotationImageName carries the full image reference; containerd names the
	// imported image after it.
	AnnotationImageName = "io.containerd.image.name"
	// AnnotationRefName carries the tag of the image, as the OCI layout defines it.
	AnnotationRefName = "org.opencontainers.image.ref.name"

	// LayoutVersion is the imageLayoutVersion written into the oci-layout file.
	LayoutVersion = "1.0.0"
)

// descriptor points at a blob by media type, digest and size.
type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Platform    *platform         `json:"platform,omitempty"`
}

// platform names the operating system and CPU architecture an image runs on.
type platform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
}

// index is the content of index.json.
type index struct {
	SchemaVersion int          `json:"schemaVersion"`
	MediaType     string       `json:"mediaType"`
	Manifests     []descriptor `json:"manifests"`
}

// manifest is the image manifest blob.
type manifest struct {
	SchemaVersion int          `json:"schemaVersion"`
	MediaType     string       `json:"mediaType"`
	Config        descriptor   `json:"config"`
	Layers        []descriptor `json:"layers"`
}

// imageConfig is the image config blob.
type imageConfig struct {
	Architecture string        `json:"architecture"`
	OS           string        `json:"os"`
	Config       runtimeConfig `json:"config"`
	RootFS       rootFS        `json:"rootfs"`
}

// runtimeConfig is the part of the image config that says how to run the image.
type runtimeConfig struct {
	Entrypoint []string `json:"Entrypoint,omitempty"`
	Cmd        []string `json:"Cmd,omitempty"`
	Env        []string `json:"Env,omitempty"`
	WorkingDir string   `json:"WorkingDir,omitempty"`
}

// rootFS lists the digests of the uncompressed layers.
type rootFS struct {
	Type    string   `json:"type"`
	DiffIDs []string `json:"diff_ids"`
}

// layout is the content of the oci-layout file.
type layout struct {
	Version string `json:"imageLayoutVersion"`
}
