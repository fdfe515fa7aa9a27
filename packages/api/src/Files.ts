/**
 * Artifact files over HTTP, in two steps a remote CLI and a browser can both take: upload each file's bytes as the
 * raw body of `POST /blobs` (answered with its sha256 and size; content-addressed, so uploading twice is harmless),
 * then log the version with those digests (`POST …/artifacts/{artifact}/versions`). A linked version's files are
 * listed with sizes and digests, downloaded one by one (streamed, digest checked) and verified all at once. Uploads
 * have their own size limit, separate from the JSON body limit.
 */
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as OpenApi from "@effect/platform/OpenApi"
import { Artifact } from "@registrar/domain"
import { Schema } from "effect"
import { Authentication } from "./Authentication.js"

const organization = HttpApiSchema.param("organization", Schema.String)
const registry = HttpApiSchema.param("registry", Schema.String)
const collection = HttpApiSchema.param("collection", Schema.String)
const version = HttpApiSchema.param(
  "version",
  Schema.String.annotations({ description: "vN, or an alias (latest included)" })
)

const entity = HttpApiSchema.param("entity", Schema.String)
const project = HttpApiSchema.param("project", Schema.String)
const artifact = HttpApiSchema.param("artifact", Schema.String)

/** The stored content of an upload: its address and size. */
export const UploadedBlob = Schema.Struct({ sha256: Schema.String, size: Schema.Number })

/** A linked version's files. */
export const VersionFiles = Schema.Struct({
  fullName: Schema.String,
  files: Schema.Array(Artifact.ManifestEntry)
})

/** One file's verification: whether its stored content is there and hashes to its digest. */
export const VerifiedFile = Schema.Struct({
  path: Schema.String,
  sha256: Schema.String,
  size: Schema.Number,
  ok: Schema.Boolean,
  problem: Schema.optional(Schema.String)
})

/** A linked version's files, each checked against its digest. */
export const Verification = Schema.Struct({
  fullName: Schema.String,
  ok: Schema.Boolean,
  files: Schema.Array(VerifiedFile)
})

/** A source version's files (`entity/project/name:vN`). */
export const SourceVersionFiles = Schema.Struct({
  reference: Schema.String,
  files: Schema.Array(Artifact.ManifestEntry)
})

/** A source version's files, each checked against its digest. */
export const SourceVerification = Schema.Struct({
  reference: Schema.String,
  ok: Schema.Boolean,
  files: Schema.Array(VerifiedFile)
})

/** The file a download names, by its path inside the artifact. */
export const FileParams = Schema.Struct({ path: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(4096)) })

/** The path every upload goes to (it has its own body limit). */
export const UPLOAD_PATH = "/blobs"

/** Uploads, and the files of linked versions. */
export class FilesGroup extends HttpApiGroup.make("files")
  .add(
    HttpApiEndpoint.post("uploadBlob", UPLOAD_PATH)
      .setPayload(HttpApiSchema.Uint8Array({ contentType: "application/octet-stream" }))
      .addSuccess(UploadedBlob, { status: 201 })
      .annotate(
        OpenApi.Description,
        "Upload one file's bytes as the raw request body; answers its sha256 and size. Then log a version naming it."
      )
  )
  .add(
    HttpApiEndpoint.get(
      "listFiles"
    )`/organizations/${organization}/registries/${registry}/collections/${collection}/versions/${version}/files`.addSuccess(
      VersionFiles
    )
  )
  .add(
    HttpApiEndpoint.get(
      "downloadFile"
    )`/organizations/${organization}/registries/${registry}/collections/${collection}/versions/${version}/file`
      .setUrlParams(FileParams)
      .addSuccess(HttpApiSchema.Uint8Array({ contentType: "application/octet-stream" }))
      .annotate(
        OpenApi.Description,
        "The file's bytes, streamed, with Content-Length and its sha256 in the ETag and X-Content-SHA256 headers. The digest is checked as it streams: corrupt content ends the response before its last bytes."
      )
  )
  .add(
    HttpApiEndpoint.get(
      "verifyFiles"
    )`/organizations/${organization}/registries/${registry}/collections/${collection}/versions/${version}/verify`.addSuccess(
      Verification
    )
  )
  .add(
    HttpApiEndpoint.get(
      "listSourceFiles"
    )`/entities/${entity}/projects/${project}/artifacts/${artifact}/versions/${version}/files`
      .addSuccess(SourceVersionFiles)
      .annotate(OpenApi.Description, "A source version's files: for its entity's own user or its team's members.")
  )
  .add(
    HttpApiEndpoint.get(
      "downloadSourceFile"
    )`/entities/${entity}/projects/${project}/artifacts/${artifact}/versions/${version}/file`
      .setUrlParams(FileParams)
      .addSuccess(HttpApiSchema.Uint8Array({ contentType: "application/octet-stream" }))
      .annotate(
        OpenApi.Description,
        "A source version's file (its entity's user or team members only), streamed and digest checked as a linked version's."
      )
  )
  .add(
    HttpApiEndpoint.get(
      "verifySourceFiles"
    )`/entities/${entity}/projects/${project}/artifacts/${artifact}/versions/${version}/verify`.addSuccess(
      SourceVerification
    )
  )
  .middleware(Authentication)
  .annotate(
    OpenApi.Description,
    "Files: upload (POST /blobs), then list, download and verify a linked or source version's files"
  ) {}
