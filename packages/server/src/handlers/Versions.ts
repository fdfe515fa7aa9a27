/** The versions and artifacts groups: link, unlink, aliases, resolve; log, list, use, lineage. */
import { HttpApiBuilder } from "@effect/platform"
import { RegistrarApi } from "@registrar/api"
import { Registrar } from "@registrar/domain"
import { Effect } from "effect"
import { paginate } from "../Pagination.js"
import { call, callerRequest, collectionPath } from "./Call.js"

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
          const found = yield* call(
            registrar.listVersions({ ...request, ...urlParams, collection: collectionPath(path) })
          )
          const page = yield* paginate(found.versions, urlParams)
          return {
            organization: found.organization,
            registry: found.registry,
            path: found.path,
            latest: found.latest,
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
    return handlers
      .handle("logArtifact", ({ path, payload, headers }) =>
        Effect.flatMap(callerRequest(headers), (request) =>
          call(
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
          return yield* paginate(found.versions, urlParams)
        })
      )
      .handle("useArtifact", ({ payload, headers }) =>
        Effect.flatMap(callerRequest(headers), (request) => call(registrar.useArtifact({ ...request, ...payload })))
      )
      .handle("lineage", ({ urlParams }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.lineage({ ...request, ...urlParams })))
      )
  })
)
