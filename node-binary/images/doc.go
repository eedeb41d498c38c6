// Package images packs container images into OCI image archives without a container
// runtime or a registry, so that lightnode can carry the images a node needs (the pause
// image, test images) and import them into containerd at start.
//
// An archive is a tar stream holding an OCI image layout: the oci-layout file, an
// index.json whose single manifest is annotated with the image reference
// (io.containerd.image.name, the full name, and org.opencontainers.image.ref.name, the
// tag), and the content-addressed blobs: the image config, the manifest and one
// uncompressed layer with the image's files. containerd's image import accepts it and
// tags the image with the annotated name.
//
// Packing is deterministic: the same files and settings give the same bytes and so the
// same digests, which keeps the bundle that carries the archive stable across builds.
package images
