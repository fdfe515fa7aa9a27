/**
 * The paths group: reads and commands by the names people type, the organization optional. Each handler passes the
 * names to the `Registrar` service unchanged, so parsing, defaults and errors are the library's own (governance
 * included: promotions' full paths, a version's history by its path).
 */
import { HttpApiBuilder } from "@effect/platform"
import { RegistrarApi } from "@registrar/api"
import { Registrar } from "@registrar/domain"
import { Effect } from "effect"
import { keysetPage, pageInMemory, scopeOf, SortKey } from "../Pagination.js"
import { call, callerRequest } from "./Call.js"

/** The paths group. */
export const PathsLive = HttpApiBuilder.group(RegistrarApi, "paths", (handlers) =>
  Effect.gen(function* () {
    const registrar = yield* Registrar
    return handlers
      .handle("registriesOf", ({ urlParams }) =>
        Effect.gen(function* () {
          const request = yield* callerRequest()
          const { cursor: _cursor, limit: _limit, ...query } = urlParams
          let organization = ""
          const page = yield* keysetPage({
            scope: scopeOf("paths/registries", urlParams),
            key: SortKey.name,
            params: urlParams,
            read: ({ after, limit }) =>
              call(
                registrar.listRegistries({
                  ...request,
                  ...query,
                  page: after === undefined ? { limit } : { afterName: after, limit }
                })
              ).pipe(
                Effect.tap((found) => {
                  organization = found.organization
                }),
                Effect.map((found) => found.registries)
              ),
            keyOf: (registry) => registry.registry
          })
          return { organization, ...page }
        })
      )
      .handle("registryNamed", ({ urlParams }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.showRegistry({ ...request, ...urlParams })))
      )
      .handle("collectionsOf", ({ urlParams }) =>
        Effect.gen(function* () {
          const request = yield* callerRequest()
          const { cursor: _cursor, limit: _limit, ...query } = urlParams
          return yield* keysetPage({
            scope: scopeOf("paths/collections", urlParams),
            key: SortKey.name,
            params: urlParams,
            read: ({ after, limit }) =>
              call(
                registrar.listCollections({
                  ...request,
                  ...query,
                  page: after === undefined ? { limit } : { afterName: after, limit }
                })
              ),
            keyOf: (collection) => collection.name
          })
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
          const { cursor: _cursor, limit: _limit, ...query } = urlParams
          // The first read of the collection, kept for the page's header (the same read gives the page's rows).
          let header: Effect.Effect.Success<ReturnType<typeof registrar.listVersions>> | undefined
          const page = yield* keysetPage({
            scope: scopeOf("paths/versions", urlParams),
            key: SortKey.index,
            params: urlParams,
            read: ({ after, limit }) =>
              call(
                registrar.listVersions({
                  ...request,
                  ...query,
                  page: after === undefined ? { limit } : { afterIndex: after, limit }
                })
              ).pipe(
                Effect.tap((result) => {
                  header = result
                }),
                Effect.map((result) => result.versions)
              ),
            keyOf: (version) => version.index
          })
          const found = header as NonNullable<typeof header>
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
          const { cursor: _cursor, limit: _limit, ...query } = urlParams
          const entries = yield* call(registrar.search({ ...request, ...query }))
          return yield* pageInMemory(entries, {
            scope: scopeOf("paths/search", urlParams),
            key: SortKey.name,
            params: urlParams,
            keyOf: (entry) => `${entry.registry}\u0000${entry._tag === "Collection" ? entry.name : ""}`
          })
        })
      )
      .handle("deleteArtifactVersionAt", ({ payload }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.deleteArtifactVersion({ ...request, ...payload })))
      )
      .handle("updateArtifactVersionAt", ({ payload }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.updateArtifactVersion({ ...request, ...payload })))
      )
      .handle("addArtifactAliasAt", ({ payload }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.assignArtifactAlias({ ...request, ...payload })))
      )
      .handle("removeArtifactAliasAt", ({ payload }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.removeArtifactAlias({ ...request, ...payload })))
      )
      .handle("promoteAt", ({ payload, headers }) =>
        Effect.flatMap(callerRequest(headers), (request) => call(registrar.promote({ ...request, ...payload })))
      )
      .handle("aliasHistoryAt", ({ urlParams }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.aliasHistory({ ...request, ...urlParams })))
      )
      .handle("versionHistoryAt", ({ urlParams }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.versionHistory({ ...request, ...urlParams })))
      )
      .handle("diffAt", ({ urlParams }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.diff({ ...request, ...urlParams })))
      )
      .handle("revertAt", ({ payload }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.revert({ ...request, ...payload })))
      )
      .handle("tagAt", ({ payload }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.tagArtifactVersion({ ...request, ...payload })))
      )
      .handle("untagAt", ({ payload }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.untagArtifactVersion({ ...request, ...payload })))
      )
  })
)
