/** The health, keys, entities and history groups. */
import { randomBytes } from "node:crypto"
import { HttpApiBuilder } from "@effect/platform"
import { CurrentUser, Problem, RegistrarApi } from "@registrar/api"
import { ApiKey, EventStore, Registrar } from "@registrar/domain"
import { Effect } from "effect"
import { keysetPage, pageInMemory, scopeOf, SortKey } from "../Pagination.js"
import { call, callerRequest } from "./Call.js"

/** The health group: `/healthz` answers while the process runs, `/readyz` while the store answers too. */
export const HealthLive = HttpApiBuilder.group(RegistrarApi, "health", (handlers) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    return handlers
      .handle("healthz", () => Effect.succeed({ status: "ok" as const }))
      .handle("readyz", () =>
        store.head.pipe(
          Effect.as({ status: "ok" as const }),
          Effect.mapError(() => new Problem.ServiceUnavailable())
        )
      )
  })
)

/** The keys group: the caller's own API keys. */
export const KeysLive = HttpApiBuilder.group(RegistrarApi, "keys", (handlers) =>
  Effect.gen(function* () {
    const registrar = yield* Registrar
    // The keys of `user`, or of the caller when none is named; the library says who may manage another user's.
    const createKey = (user: string | undefined, payload: { readonly name?: string }) =>
      Effect.flatMap(callerRequest(), (request) =>
        call(
          registrar.createApiKey({
            ...request,
            ...payload,
            user: user ?? request.actor,
            random: randomBytes(ApiKey.RANDOM_BYTES)
          })
        )
      )
    const listKeys = (user: string | undefined) =>
      Effect.flatMap(callerRequest(), (request) =>
        call(registrar.listApiKeys({ ...request, user: user ?? request.actor }))
      )
    const revokeKey = (user: string | undefined, prefix: string) =>
      Effect.flatMap(callerRequest(), (request) =>
        call(registrar.revokeApiKey({ ...request, user: user ?? request.actor, prefix }))
      )
    return handlers
      .handle("me", () => Effect.map(CurrentUser, ({ user }) => ({ user })))
      .handle("createApiKey", ({ payload }) => createKey(undefined, payload))
      .handle("listApiKeys", () => listKeys(undefined))
      .handle("revokeApiKey", ({ path }) => revokeKey(undefined, path.prefix))
      .handle("createUserApiKey", ({ path, payload }) => createKey(path.user, payload))
      .handle("listUserApiKeys", ({ path }) => listKeys(path.user))
      .handle("revokeUserApiKey", ({ path }) => revokeKey(path.user, path.prefix))
  })
)

/** The entities group: users, organizations and teams. */
export const EntitiesLive = HttpApiBuilder.group(RegistrarApi, "entities", (handlers) =>
  Effect.gen(function* () {
    const registrar = yield* Registrar
    return handlers
      .handle("createUser", ({ payload, headers }) =>
        Effect.flatMap(callerRequest(headers), (request) => call(registrar.createUser({ ...request, ...payload })))
      )
      .handle("createOrganization", ({ payload, headers }) =>
        Effect.flatMap(callerRequest(headers), (request) =>
          call(registrar.createOrganization({ ...request, ...payload }))
        )
      )
      .handle("setOrganizationMember", ({ path, payload }) =>
        Effect.flatMap(callerRequest(), (request) =>
          call(registrar.setOrganizationMember({ ...request, ...path, ...payload }))
        )
      )
      .handle("removeOrganizationMember", ({ path }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.removeOrganizationMember({ ...request, ...path })))
      )
      .handle("createTeam", ({ payload, headers }) =>
        Effect.flatMap(callerRequest(headers), (request) => call(registrar.createTeam({ ...request, ...payload })))
      )
      .handle("addTeamMember", ({ path }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.addTeamMember({ ...request, ...path })))
      )
      .handle("removeTeamMember", ({ path }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.removeTeamMember({ ...request, ...path })))
      )
  })
)

/** The history group: the audit history and catalog search. */
export const HistoryLive = HttpApiBuilder.group(RegistrarApi, "history", (handlers) =>
  Effect.gen(function* () {
    const registrar = yield* Registrar
    return handlers
      .handle("history", ({ urlParams }) =>
        Effect.gen(function* () {
          const request = yield* callerRequest()
          const { cursor: _cursor, limit: _limit, ...filter } = urlParams
          return yield* keysetPage({
            scope: scopeOf("history", urlParams),
            key: SortKey.position,
            params: urlParams,
            read: ({ after, limit }) =>
              call(
                registrar.history({ ...request, ...filter, page: after === undefined ? { limit } : { after, limit } })
              ),
            keyOf: (row) => ({ transactionId: row.transactionId, globalPosition: row.globalPosition })
          })
        })
      )
      .handle("search", ({ path, urlParams }) =>
        Effect.gen(function* () {
          const request = yield* callerRequest()
          const entries = yield* call(registrar.search({ ...request, ...urlParams, ...path }))
          // Search answers whole (it matches text across registries and collections); the page is cut here, after
          // the last entry's place in the catalog order: its registry, then its collection ("" for the registry).
          return yield* pageInMemory(entries, {
            scope: scopeOf("search", { ...path, ...urlParams }),
            key: SortKey.name,
            params: urlParams,
            keyOf: (entry) => `${entry.registry}\u0000${entry._tag === "Collection" ? entry.name : ""}`
          })
        })
      )
  })
)
