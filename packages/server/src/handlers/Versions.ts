/** The versions and artifacts groups: link, unlink, aliases, resolve; log, list, use, lineage. */
import { HttpApiBuilder } from "@effect/platform"
import { RegistrarApi } from "@registrar/api"
import { BlobStore, Registrar, requireStored, validateManifest } from "@registrar/domain"
import { Effect } from "effect"
import { keysetPage, pageInMemory, scopeOf, SortKey } from "../Pagination.js"
import { call, callerRequest, collectionPath, sourceVersionPath } from "./Call.js"

const versionPath = (path: Parameters<typeof collectionPath>[0] & { readonly version: string }) =>
  `${collectionPath(path)}:${path.version}`

/** The versions group. */
export const VersionsLive = HttpApiBuilder.group(RegistrarApi, "versions", (handlers) =>
  Effect.gen(function* () {
    const registrar = yield* Registrar
    return handlers
      .handle("listVersions", ({ path, urlParams }) =>
        Effect.gen(function* () {
          const request = yield* callerRequest()
          const { cursor: _cursor, limit: _limit, order, ...read } = urlParams
          const descending = order === "desc"
          const collection = collectionPath(path)
          // The first read of the collection, kept for the page's header (the same read gives the page's rows).
          let found: Effect.Effect.Success<ReturnType<typeof registrar.listVersions>> | undefined
          const page = yield* keysetPage({
            scope: scopeOf("versions", { ...path, ...urlParams }),
            key: SortKey.index,
            params: urlParams,
            read: ({ after, limit }) =>
              call(
                registrar.listVersions({
                  ...request,
                  ...read,
                  collection,
                  page: after === undefined ? { limit, descending } : { afterIndex: after, limit, descending }
                })
              ).pipe(
                Effect.tap((result) => {
                  found = result
                }),
                Effect.map((result) => result.versions)
              ),
            keyOf: (version) => version.index
          })
          const header = found as NonNullable<typeof found>
          return {
            organization: header.organization,
            registry: header.registry,
            path: header.path,
            latest: header.latest,
            ...page
          }
        })
      )
      .handle("link", ({ path, payload, headers }) =>
        Effect.flatMap(callerRequest(headers), (request) =>
          call(registrar.link({ ...request, ...payload, target: collectionPath(path) }))
        )
      )
      .handle("unlink", ({ path }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.unlink({ ...request, name: versionPath(path) })))
      )
      .handle("addAlias", ({ path }) =>
        Effect.flatMap(callerRequest(), (request) =>
          call(registrar.addAlias({ ...request, name: versionPath(path), alias: path.alias }))
        )
      )
      .handle("removeAlias", ({ path }) =>
        Effect.flatMap(callerRequest(), (request) =>
          call(registrar.removeAlias({ ...request, name: versionPath(path), alias: path.alias }))
        )
      )
      .handle("resolve", ({ urlParams }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.resolve({ ...request, ...urlParams })))
      )
  })
)

/** The artifacts group. */
export const ArtifactsLive = HttpApiBuilder.group(RegistrarApi, "artifacts", (handlers) =>
  Effect.gen(function* () {
    const registrar = yield* Registrar
    const blobs = yield* BlobStore
    return handlers
      .handle("logArtifact", ({ path, payload, headers }) =>
        Effect.flatMap(callerRequest(headers), (request) =>
          // A server's files are what was uploaded to it: a manifest naming others is refused (FilesNotUploaded),
          // once it is known to be a manifest at all (a malformed digest is bad input, not a missing upload).
          call(
            Effect.zipRight(
              Effect.zipRight(validateManifest(payload.files), requireStored(blobs, payload.files)),
              registrar.logArtifact({
                ...request,
                ...payload,
                entity: path.entity,
                project: path.project,
                name: path.artifact
              })
            )
          )
        )
      )
      .handle("listArtifactVersions", ({ path, urlParams }) =>
        Effect.gen(function* () {
          const request = yield* callerRequest()
          const found = yield* call(
            registrar.listArtifactVersions({
              ...request,
              ...urlParams,
              entity: path.entity,
              project: path.project,
              name: path.artifact
            })
          )
          // A source artifact's versions are read whole (its `latest` needs them all); the page is cut here.
          return yield* pageInMemory(found.versions, {
            scope: scopeOf("artifactVersions", { ...path, ...urlParams }),
            key: SortKey.index,
            params: urlParams,
            keyOf: (version) => version.index
          })
        })
      )
      .handle("updateArtifactVersion", ({ path, payload }) =>
        Effect.flatMap(callerRequest(), (request) =>
          call(registrar.updateArtifactVersion({ ...request, ...payload, reference: sourceVersionPath(path) }))
        )
      )
      .handle("assignArtifactAlias", ({ path }) =>
        Effect.flatMap(callerRequest(), (request) =>
          call(registrar.assignArtifactAlias({ ...request, reference: sourceVersionPath(path), alias: path.alias }))
        )
      )
      .handle("removeArtifactAlias", ({ path }) =>
        Effect.flatMap(callerRequest(), (request) =>
          call(registrar.removeArtifactAlias({ ...request, reference: sourceVersionPath(path), alias: path.alias }))
        )
      )
      .handle("useArtifact", ({ payload, headers }) =>
        Effect.flatMap(callerRequest(headers), (request) => call(registrar.useArtifact({ ...request, ...payload })))
      )
      .handle("lineage", ({ urlParams }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.lineage({ ...request, ...urlParams })))
      )
      .handle("listArtifacts", ({ path, urlParams }) =>
        Effect.flatMap(callerRequest(), (request) =>
          call(registrar.listArtifacts({ ...request, ...urlParams, entity: path.entity }))
        )
      )
      .handle("sourceLinks", ({ urlParams }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.sourceLinks({ ...request, ...urlParams })))
      )
  })
)
