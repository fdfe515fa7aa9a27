/** BlobStore adapters: a directory of the filesystem (the embedded default) and S3-compatible object storage. */
export * as FileBlobStore from "./FileBlobStore.js"
export * as S3BlobStore from "./S3BlobStore.js"
