/** The registries and collections groups: thin calls to the `Registrar` service. */
import { HttpApiBuilder } from "@effect/platform"
import { RegistrarApi } from "@registrar/api"
import { Registrar } from "@registrar/domain"
import { Effect } from "effect"
import { keysetPage, scopeOf, SortKey } from "../Pagination.js"
import { call, callerRequest, collectionPath } from "./Call.js"

/** The registries group. */
export const RegistriesLive = HttpApiBuilder.group(RegistrarApi, "registries", (handlers) =>
  Effect.gen(function* () {
    const registrar = yield* Registrar
    return handlers
      .handle("listRegistries", ({ path, urlParams }) =>
        Effect.gen(function* () {
          const request = yield* callerRequest()
          const { cursor: _cursor, limit: _limit, ...read } = urlParams
          return yield* keysetPage({
            scope: scopeOf("registries", { ...path, ...urlParams }),
            key: SortKey.name,
            params: urlParams,
            read: ({ after, limit }) =>
              call(
                registrar.listRegistries({
                  ...request,
                  ...read,
                  ...path,
                  page: after === undefined ? { limit } : { afterName: after, limit }
                })
              ).pipe(Effect.map((found) => found.registries)),
            keyOf: (registry) => registry.registry
          })
        })
      )
      .handle("createRegistry", ({ path, payload, headers }) =>
        Effect.flatMap(callerRequest(headers), (request) =>
          call(registrar.createRegistry({ ...request, ...payload, organization: path.organization }))
        )
      )
      .handle("showRegistry", ({ path, urlParams }) =>
        Effect.flatMap(callerRequest(), (request) =>
          call(registrar.showRegistry({ ...request, ...urlParams, ...path }))
        )
      )
      .handle("deleteRegistry", ({ path }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.deleteRegistry({ ...request, ...path })))
      )
      .handle("changeVisibility", ({ path, payload }) =>
        Effect.flatMap(callerRequest(), (request) =>
          call(registrar.changeVisibility({ ...request, ...path, ...payload }))
        )
      )
      .handle("acceptTypes", ({ path, payload }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.acceptTypes({ ...request, ...path, ...payload })))
      )
      .handle("setProtectedAliases", ({ path, payload }) =>
        Effect.flatMap(callerRequest(), (request) =>
          call(registrar.setProtectedAliases({ ...request, ...path, ...payload }))
        )
      )
      .handle("grantRole", ({ path, payload }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.grantRole({ ...request, ...path, ...payload })))
      )
      .handle("revokeRole", ({ path }) =>
        Effect.flatMap(callerRequest(), (request) =>
          call(
            registrar.revokeRole({
              ...request,
              organization: path.organization,
              registry: path.registry,
              principal: { kind: path.kind, name: path.name }
            })
          )
        )
      )
      .handle("renameRegistry", ({ path, payload }) =>
        Effect.flatMap(callerRequest(), (request) =>
          call(registrar.renameRegistry({ ...request, ...path, ...payload }))
        )
      )
      .handle("updateRegistry", ({ path, payload }) =>
        Effect.flatMap(callerRequest(), (request) =>
          call(registrar.updateRegistry({ ...request, ...path, ...payload }))
        )
      )
  })
)

/** The collections group. */
export const CollectionsLive = HttpApiBuilder.group(RegistrarApi, "collections", (handlers) =>
  Effect.gen(function* () {
    const registrar = yield* Registrar
    return handlers
      .handle("listCollections", ({ path, urlParams }) =>
        Effect.gen(function* () {
          const request = yield* callerRequest()
          const { cursor: _cursor, limit: _limit, ...read } = urlParams
          return yield* keysetPage({
            scope: scopeOf("collections", { ...path, ...urlParams }),
            key: SortKey.name,
            params: urlParams,
            read: ({ after, limit }) =>
              call(
                registrar.listCollections({
                  ...request,
                  ...read,
                  ...path,
                  page: after === undefined ? { limit } : { afterName: after, limit }
                })
              ),
            keyOf: (collection) => collection.name
          })
        })
      )
      .handle("createCollection", ({ path, payload, headers }) =>
        Effect.flatMap(callerRequest(headers), (request) =>
          call(
            registrar.createCollection({
              ...request,
              ...payload,
              collection: collectionPath({ ...path, collection: payload.collection })
            })
          )
        )
      )
      .handle("showCollection", ({ path, urlParams }) =>
        Effect.gen(function* () {
          const request = yield* callerRequest()
          const found = yield* call(
            registrar.showCollection({ ...request, ...urlParams, collection: collectionPath(path) })
          )
          return found.collection
        })
      )
      .handle("updateCollection", ({ path, payload }) =>
        Effect.gen(function* () {
          const request = yield* callerRequest()
          let changed = false
          if (payload.description !== undefined || payload.tags !== undefined) {
            const updated = yield* call(
              registrar.updateCollection({
                ...request,
                collection: collectionPath(path),
                ...(payload.description === undefined ? {} : { description: payload.description }),
                ...(payload.tags === undefined ? {} : { tags: payload.tags })
              })
            )
            changed = updated.changed
          }
          if (payload.name !== undefined && payload.name !== path.collection) {
            yield* call(registrar.renameCollection({ ...request, collection: collectionPath(path), to: payload.name }))
            changed = true
          }
          return {
            organization: path.organization,
            registry: path.registry,
            collection: payload.name ?? path.collection,
            changed
          }
        })
      )
      .handle("deleteCollection", ({ path }) =>
        Effect.flatMap(callerRequest(), (request) =>
          call(registrar.deleteCollection({ ...request, collection: collectionPath(path) }))
        )
      )
  })
)
