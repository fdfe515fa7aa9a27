/**
 * The paths group: reads and commands by the names people type, the organization optional. Each handler passes the
 * names to the `Registrar` service unchanged, so parsing, defaults and errors are the library's own.
 */
import { HttpApiBuilder } from "@effect/platform"
import { RegistrarApi } from "@registrar/api"
import { Registrar } from "@registrar/domain"
import { Effect } from "effect"
import { paginate } from "../Pagination.js"
import { call, callerRequest } from "./Call.js"

/** The paths group. */
export const PathsLive = HttpApiBuilder.group(RegistrarApi, "paths", (handlers) =>
  Effect.gen(function* () {
    const registrar = yield* Registrar
    return handlers
      .handle("registriesOf", ({ urlParams }) =>
        Effect.gen(function* () {
          const request = yield* callerRequest()
          const { cursor, limit, ...query } = urlParams
          const found = yield* call(registrar.listRegistries({ ...request, ...query }))
          const page = yield* paginate(found.registries, { cursor, limit })
          return { organization: found.organization, ...page }
        })
      )
      .handle("registryNamed", ({ urlParams }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.showRegistry({ ...request, ...urlParams })))
      )
      .handle("collectionsOf", ({ urlParams }) =>
        Effect.gen(function* () {
          const request = yield* callerRequest()
          const { cursor, limit, ...query } = urlParams
          const collections = yield* call(registrar.listCollections({ ...request, ...query }))
          return yield* paginate(collections, { cursor, limit })
        })
      )
      .handle("createCollectionAt", ({ payload, headers }) =>
        Effect.flatMap(callerRequest(headers), (request) =>
          call(registrar.createCollection({ ...request, ...payload }))
        )
      )
      .handle("versionsAt", ({ urlParams }) =>
        Effect.gen(function* () {
          const request = yield* callerRequest()
          const { cursor, limit, ...query } = urlParams
          const found = yield* call(registrar.listVersions({ ...request, ...query }))
          const page = yield* paginate(found.versions, { cursor, limit })
          return {
            organization: found.organization,
            registry: found.registry,
            path: found.path,
            latest: found.latest,
            collection: found.collection,
            ...page
          }
        })
      )
      .handle("renameCollectionAt", ({ payload }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.renameCollection({ ...request, ...payload })))
      )
      .handle("updateCollectionAt", ({ payload }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.updateCollection({ ...request, ...payload })))
      )
      .handle("deleteCollectionAt", ({ payload }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.deleteCollection({ ...request, ...payload })))
      )
      .handle("linkAt", ({ payload, headers }) =>
        Effect.flatMap(callerRequest(headers), (request) => call(registrar.link({ ...request, ...payload })))
      )
      .handle("unlinkAt", ({ payload }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.unlink({ ...request, ...payload })))
      )
      .handle("addAliasAt", ({ payload }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.addAlias({ ...request, ...payload })))
      )
      .handle("removeAliasAt", ({ payload }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.removeAlias({ ...request, ...payload })))
      )
      .handle("searchCatalog", ({ urlParams }) =>
        Effect.gen(function* () {
          const request = yield* callerRequest()
          const { cursor, limit, ...query } = urlParams
          const entries = yield* call(registrar.search({ ...request, ...query }))
          return yield* paginate(entries, { cursor, limit })
        })
      )
      .handle("deleteArtifactVersionAt", ({ payload }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.deleteArtifactVersion({ ...request, ...payload })))
      )
  })
)
