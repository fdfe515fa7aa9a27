/**
 * The `Registrar` service over HTTP: every method the CLI calls, implemented with the client `HttpApiClient` derives
 * from the API's definition. The server answers errors as problem documents that decode back into the same typed
 * errors, so a command prints the same message and exits with the same code as on a local store. What has no
 * endpoint (maintenance: verify, anchor, rebuild) fails with `NotAvailableRemotely`.
 */
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import type * as HttpApiError from "@effect/platform/HttpApiError"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { type Errors, RegistrarApi } from "@registrar/api"
import {
  type AutomationFields,
  type FilterInput,
  type FindRegistries,
  type JsonObject,
  parseAnyRef,
  printVersionSelector,
  type RegistrarShape,
  type ReadModels
} from "@registrar/domain"
import * as Arr from "effect/Array"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import { NotAvailableRemotely, ServerAnswerInvalid, ServerUnreachable } from "./Errors.js"
import * as NodeTransport from "./NodeTransport.js"

/** What a remote call can fail with besides the method's own errors. */
export type RemoteFailure = Errors.ApiError | ServerUnreachable | ServerAnswerInvalid | NotAvailableRemotely

type Widened<F, X> = F extends (...args: infer A) => Effect.Effect<infer R, infer E, infer Q>
  ? (...args: A) => Effect.Effect<R, E | X, Q>
  : F extends Effect.Effect<infer R, infer E, infer Q>
    ? Effect.Effect<R, E | X, Q>
    : F

/**
 * The service as a command sees it: the library's `RegistrarShape`, each method also able to fail with a
 * {@link RemoteFailure}. The local service is one (it never fails so); the HTTP client is the other.
 */
export type RegistrarClient = { readonly [K in keyof RegistrarShape]: Widened<RegistrarShape[K], RemoteFailure> }

/** Items per page asked of the server (its maximum). */
const PAGE_SIZE = 1000

const unavailable = (operation: string, fix: string) => Effect.fail(new NotAvailableRemotely({ operation, fix }))

const LOCAL_ONLY = "run it on the store itself (--data-dir or --database-url, on the server's machine)"

// A path parameter is sent as one URL segment: names may hold spaces and other characters URLs reserve.
const segment = (value: string): string => encodeURIComponent(value)

const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }

// The whole derived client, as a type: building it compiles every endpoint's schemas (a few hundred
// milliseconds), so `lazyClient` builds each endpoint the first time a command calls it (about 10 ms).
const wholeClient = () => HttpApiClient.make(RegistrarApi)
type ApiClient = Effect.Effect.Success<ReturnType<typeof wholeClient>>

const lazyClient = (server: string, key: string): Effect.Effect<ApiClient> =>
  Effect.sync(() => {
    const httpClient = NodeTransport.client
    const built = new Map<string, Effect.Effect<(request: unknown) => Effect.Effect<unknown, unknown>>>()
    const endpointOf = (group: string, endpoint: string) => {
      const id = `${group}.${endpoint}`
      let method = built.get(id)
      if (method === undefined) {
        method = Effect.cached(
          HttpApiClient.endpoint(RegistrarApi, {
            group: group as never,
            endpoint: endpoint as never,
            httpClient: HttpClient.mapRequest(httpClient, HttpClientRequest.bearerToken(key)),
            baseUrl: server
          }) as unknown as Effect.Effect<(request: unknown) => Effect.Effect<unknown, unknown>>
        ).pipe(Effect.runSync)
        built.set(id, method)
      }
      return method
    }
    return new Proxy(
      {},
      {
        get: (_, group) =>
          new Proxy(
            {},
            {
              get: (__, endpoint) => (request: unknown) =>
                Effect.flatMap(endpointOf(String(group), String(endpoint)), (method) => method(request))
            }
          )
      }
    ) as ApiClient
  })

/** How the client reads lists. */
export interface ClientOptions {
  /** Items asked per page (default: the server's maximum, 1000); the client reads every page. */
  readonly pageSize?: number
}

/** The HTTP client of `server`, authenticating every request with `key`. */
export const make = (server: string, key: string, options: ClientOptions = {}) =>
  Effect.gen(function* () {
    const client = yield* lazyClient(server, key)

    // Transport and decoding failures become the CLI's typed errors; the API's own (decoded problems) pass.
    const send = <A, E>(
      effect: Effect.Effect<A, E>
    ): Effect.Effect<A, Exclude<E, Transport> | ServerUnreachable | ServerAnswerInvalid> =>
      Effect.catchIf(effect, isTransport, (error) => Effect.fail(fromTransport(server, error))) as never

    // Every page of a list.
    const allPages = <A, E>(
      page: (
        cursor: string | undefined
      ) => Effect.Effect<{ readonly items: ReadonlyArray<A>; readonly nextCursor: string | null }, E>
    ): Effect.Effect<ReadonlyArray<A>, E> =>
      Effect.gen(function* () {
        const items: Array<A> = []
        let cursor: string | undefined
        do {
          const next = yield* page(cursor)
          items.push(...next.items)
          cursor = next.nextCursor ?? undefined
        } while (cursor !== undefined)
        return items
      })

    const pageParams = (cursor: string | undefined) => ({
      limit: options.pageSize ?? PAGE_SIZE,
      ...optional("cursor", cursor)
    })
    const idempotencyHeader = (input: { readonly idempotencyKey?: string }) =>
      input.idempotencyKey === undefined ? {} : { "idempotency-key": input.idempotencyKey }
    const registryPath = (input: { readonly organization: string; readonly registry: string }) => ({
      organization: segment(input.organization),
      registry: segment(input.registry)
    })

    const filterText = (filter: FilterInput | undefined): string | undefined =>
      filter === undefined ? undefined : typeof filter === "string" ? filter : JSON.stringify(filter)
    const findParams = (input: FindRegistries) => ({
      ...optional("organization", input.organization),
      ...optional("filter", filterText(input.filter)),
      ...optional("order", input.order),
      ...optional("pageSize", input.pageSize),
      ...optional("cursor", input.cursor),
      ...optional("asOf", input.asOf)
    })
    const automationPath = (input: {
      readonly organization: string
      readonly registry: string
      readonly automation: string
    }) => ({ ...registryPath(input), automation: segment(input.automation) })
    const automationPayload = (input: AutomationFields) => ({
      ...optional("description", input.description),
      ...optional("collection", input.collection),
      ...optional("eventTypes", input.eventTypes),
      ...optional("filter", input.filter),
      ...optional("action", input.action)
    })

    const service: RegistrarClient = {
      // organizations, teams and users
      createOrganization: (input) =>
        send(client.entities.createOrganization({ payload: input, headers: idempotencyHeader(input) })),
      createUser: (input) => send(client.entities.createUser({ payload: input, headers: idempotencyHeader(input) })),
      setOrganizationMember: (input) =>
        send(
          client.entities.setOrganizationMember({
            path: { organization: segment(input.organization), user: segment(input.user) },
            payload: { role: input.role }
          })
        ),
      removeOrganizationMember: (input) =>
        send(
          client.entities.removeOrganizationMember({
            path: { organization: segment(input.organization), user: segment(input.user) }
          })
        ),
      createTeam: (input) => send(client.entities.createTeam({ payload: input, headers: idempotencyHeader(input) })),
      addTeamMember: (input) =>
        send(client.entities.addTeamMember({ path: { team: segment(input.team), user: segment(input.user) } })),
      removeTeamMember: (input) =>
        send(client.entities.removeTeamMember({ path: { team: segment(input.team), user: segment(input.user) } })),

      // source artifacts
      // The files' bytes were uploaded first (RemoteFiles.upload); the version names them by their digests.
      logArtifact: (input) =>
        send(
          client.artifacts.logArtifact({
            path: { entity: segment(input.entity), project: segment(input.project), artifact: segment(input.name) },
            payload: input,
            headers: idempotencyHeader(input)
          })
        ),
      useArtifact: (input) =>
        Effect.map(
          send(client.artifacts.useArtifact({ payload: input, headers: idempotencyHeader(input) })),
          (used) => ({
            reference: used.reference,
            run: input.run
          })
        ),
      sourceVersionFiles: (input) =>
        Effect.gen(function* () {
          const parsed = yield* parseAnyRef(input.reference)
          if (parsed._tag === "Registry") {
            // A linked version's files: the server checks use when its files are downloaded (…/versions/vN/file).
            const resolved = yield* service.resolve({ actor: input.actor, name: input.reference })
            return { reference: resolved.source, files: resolved.files }
          }
          const { entity, project, name, version } = parsed.ref
          return yield* send(
            client.files.listSourceFiles({
              path: {
                entity: segment(entity),
                project: segment(project),
                artifact: segment(name),
                version: segment(Option.match(version, { onNone: () => "latest", onSome: printVersionSelector }))
              }
            })
          )
        }),
      updateArtifactVersion: (input) =>
        send(
          client.paths.updateArtifactVersionAt({
            payload: {
              reference: input.reference,
              ...optional("description", input.description),
              ...optional("metadata", input.metadata as JsonObject | undefined)
            }
          })
        ),
      assignArtifactAlias: (input) =>
        send(client.paths.addArtifactAliasAt({ payload: { reference: input.reference, alias: input.alias } })),
      removeArtifactAlias: (input) =>
        send(client.paths.removeArtifactAliasAt({ payload: { reference: input.reference, alias: input.alias } })),
      deleteArtifactVersion: (input) => send(client.paths.deleteArtifactVersionAt({ payload: input })),

      // registries
      createRegistry: (input) =>
        send(
          client.registries.createRegistry({
            path: { organization: segment(input.organization) },
            payload: input,
            headers: idempotencyHeader(input)
          })
        ),
      changeVisibility: (input) =>
        send(client.registries.changeVisibility({ path: registryPath(input), payload: input })),
      acceptTypes: (input) => send(client.registries.acceptTypes({ path: registryPath(input), payload: input })),
      setProtectedAliases: (input) =>
        send(client.registries.setProtectedAliases({ path: registryPath(input), payload: input })),
      grantRole: (input) => send(client.registries.grantRole({ path: registryPath(input), payload: input })),
      revokeRole: (input) =>
        send(
          client.registries.revokeRole({
            path: { ...registryPath(input), kind: input.principal.kind, name: segment(input.principal.name) }
          })
        ),
      deleteRegistry: (input) => send(client.registries.deleteRegistry({ path: registryPath(input) })),
      renameRegistry: (input) => send(client.registries.renameRegistry({ path: registryPath(input), payload: input })),
      updateRegistry: (input) => send(client.registries.updateRegistry({ path: registryPath(input), payload: input })),

      // collections
      createCollection: (input) =>
        send(client.paths.createCollectionAt({ payload: input, headers: idempotencyHeader(input) })),
      renameCollection: (input) => send(client.paths.renameCollectionAt({ payload: input })),
      updateCollection: (input) => send(client.paths.updateCollectionAt({ payload: input })),
      deleteCollection: (input) => send(client.paths.deleteCollectionAt({ payload: input })),

      // linking
      link: (input) => send(client.paths.linkAt({ payload: input, headers: idempotencyHeader(input) })),
      unlink: (input) => send(client.paths.unlinkAt({ payload: input })),
      addAlias: (input) => send(client.paths.addAliasAt({ payload: input })),
      removeAlias: (input) => send(client.paths.removeAliasAt({ payload: input })),

      // the SDK flow
      startRun: (input) =>
        Effect.succeed({
          actor: input.actor,
          entity: input.entity,
          project: input.project,
          runId: input.runId ?? Math.random().toString(36).slice(2, 10)
        }),
      logInRun: (handle, draft, aliases = []) => service.logArtifact({ ...handle, ...draft, aliases }),
      useInRun: (handle, reference) =>
        service.useArtifact({
          actor: handle.actor,
          reference,
          run: { entity: handle.entity, project: handle.project, runId: handle.runId }
        }),
      linkArtifact: (handle, draft, target, aliases = []) =>
        Effect.flatMap(service.logArtifact({ ...handle, ...draft }), (logged) =>
          service.link({ actor: handle.actor, source: logged.reference, target, aliases })
        ),

      // reads
      resolve: (input) =>
        Effect.map(
          send(client.versions.resolve({ urlParams: { name: input.name, ...optional("asOf", input.asOf) } })),
          // Metadata travels as JSON: the same JSON object the library returns.
          (resolved) => resolved as typeof resolved & { readonly metadata: JsonObject }
        ),
      listVersions: (input) =>
        Effect.gen(function* () {
          let first:
            | {
                readonly organization: string
                readonly registry: string
                readonly path: string
                readonly latest: number | null
                readonly collection: ReadModels.CollectionSummary
              }
            | undefined
          const versions = yield* allPages((cursor) =>
            Effect.tap(
              send(
                client.paths.versionsAt({
                  urlParams: { collection: input.collection, ...optional("asOf", input.asOf), ...pageParams(cursor) }
                })
              ),
              (page) =>
                Effect.sync(() => {
                  first ??= { ...page, collection: { ...page.collection, versionCount: 0 } }
                })
            )
          )
          const { organization, registry, path, latest, collection } = first!
          const { versionCount: _, ...row } = collection
          return {
            organization,
            registry,
            path,
            latest,
            collection: row,
            // Every page is read (v0 upwards); a newest-first read gets them reversed.
            versions: (input.page?.descending === true ? [...versions].reverse() : versions) as ReadonlyArray<
              (typeof versions)[number] & { readonly metadata: JsonObject }
            >
          }
        }),
      showCollection: (input) =>
        Effect.gen(function* () {
          // The path names the organization only when the caller has several: the first page of one version finds
          // it, then the collection's own endpoint counts its versions.
          const { organization, registry, path, collection } = yield* send(
            client.paths.versionsAt({
              urlParams: { collection: input.collection, ...optional("asOf", input.asOf), limit: 1 }
            })
          )
          const summary = yield* send(
            client.collections.showCollection({
              path: {
                organization: segment(organization),
                registry: segment(registry),
                collection: segment(collection.name)
              },
              urlParams: optional("asOf", input.asOf)
            })
          )
          return { organization, registry, path, collection: summary }
        }),
      listRegistries: (input) =>
        Effect.gen(function* () {
          let organization = input.organization ?? ""
          const registries = yield* allPages((cursor) =>
            Effect.tap(
              send(
                client.paths.registriesOf({
                  urlParams: {
                    ...optional("organization", input.organization),
                    ...optional("asOf", input.asOf),
                    ...pageParams(cursor)
                  }
                })
              ),
              (page) =>
                Effect.sync(() => {
                  organization = page.organization
                })
            )
          )
          return { organization, registries }
        }),
      showRegistry: (input) =>
        send(
          client.paths.registryNamed({
            urlParams: {
              registry: input.registry,
              ...optional("organization", input.organization),
              ...optional("asOf", input.asOf)
            }
          })
        ),
      listCollections: (input) =>
        allPages((cursor) =>
          send(
            client.paths.collectionsOf({
              urlParams: {
                registry: input.registry,
                ...optional("organization", input.organization),
                ...optional("asOf", input.asOf),
                ...pageParams(cursor)
              }
            })
          )
        ),
      listArtifactVersions: (input) =>
        Effect.map(
          allPages((cursor) =>
            send(
              client.artifacts.listArtifactVersions({
                path: { entity: segment(input.entity), project: segment(input.project), artifact: segment(input.name) },
                urlParams: { ...optional("asOf", input.asOf), ...pageParams(cursor) }
              })
            )
          ),
          (versions) => ({
            versions: versions as unknown as ReadModels.ArtifactVersions["versions"],
            latest: Option.map(
              Arr.findLast(versions, (version) => !version.deleted),
              (version) => version.index
            )
          })
        ),
      lineage: (input) =>
        send(
          client.artifacts.lineage({
            urlParams: {
              reference: input.reference,
              ...optional("depth", input.depth),
              ...optional("asOf", input.asOf)
            }
          })
        ),
      listArtifacts: (input) =>
        send(
          client.artifacts.listArtifacts({
            path: { entity: segment(input.entity) },
            urlParams: { ...optional("asOf", input.asOf) }
          })
        ),
      sourceLinks: (input) =>
        send(
          client.artifacts.sourceLinks({
            urlParams: { reference: input.reference, ...optional("asOf", input.asOf) }
          })
        ),
      history: (input) =>
        Effect.map(
          allPages((cursor) => {
            const { actor: _actor, idempotencyKey: _key, correlationId: _id, limit: _limit, ...filter } = input
            return send(client.history.history({ urlParams: { ...filter, ...pageParams(cursor) } }))
          }),
          (rows) => (input.limit === undefined ? rows : rows.slice(Math.max(0, rows.length - input.limit)))
        ) as never,
      search: (input) =>
        allPages((cursor) =>
          send(
            client.paths.searchCatalog({
              urlParams: {
                text: input.text,
                ...optional("organization", input.organization),
                ...optional("asOf", input.asOf),
                ...pageParams(cursor)
              }
            })
          )
        ),
      registries: (input) => send(client.find.findRegistries({ urlParams: findParams(input) })),
      collections: (input) =>
        send(
          client.find.findCollections({
            urlParams: { ...findParams(input), ...optional("registryFilter", filterText(input.registryFilter)) }
          })
        ),
      versions: (input) =>
        Effect.map(
          send(
            client.find.findVersions({
              urlParams: {
                ...findParams(input),
                ...optional("registryFilter", filterText(input.registryFilter)),
                ...optional("collectionFilter", filterText(input.collectionFilter))
              }
            })
          ),
          (page) => ({
            ...page,
            items: page.items.map((item) => ({ ...item, metadata: item.metadata as JsonObject }))
          })
        ),

      // API keys, by user: the server lets a user manage their own and the instance admin anyone's.
      createApiKey: (input) =>
        send(
          client.keys.createUserApiKey({ path: { user: segment(input.user) }, payload: optional("name", input.name) })
        ),
      listApiKeys: (input) =>
        Effect.map(send(client.keys.listUserApiKeys({ path: { user: segment(input.user) } })), (keys) => [...keys]),
      revokeApiKey: (input) =>
        send(client.keys.revokeUserApiKey({ path: { user: segment(input.user), prefix: segment(input.prefix) } })),
      // maintenance happens on the store
      authenticate: () => unavailable("Authenticating another key", LOCAL_ONLY),
      authenticateLater: () => unavailable("Authenticating another key", LOCAL_ONLY),
      bootstrap: () => unavailable("Bootstrapping", LOCAL_ONLY),
      // The server brings its read models up to date before every read: nothing to catch up here.
      catchUp: Effect.succeed(0),
      rebuild: () => unavailable("Rebuilding the read models", LOCAL_ONLY),
      verify: () => unavailable("Verifying the hash chains", LOCAL_ONLY),
      anchor: () => unavailable("Anchoring the hash chains", LOCAL_ONLY),
      // governance, by the paths people type: the server's library parses them as the local one does
      promote: (input) =>
        send(
          client.paths.promoteAt({
            payload: { set: input.set, ...optional("expect", input.expect) },
            headers: idempotencyHeader(input)
          })
        ),
      aliasHistory: (input) =>
        send(
          client.paths.aliasHistoryAt({
            urlParams: {
              registry: input.registry,
              alias: input.alias,
              ...optional("organization", input.organization),
              ...optional("collection", input.collection),
              ...optional("asOf", input.asOf)
            }
          })
        ),
      versionHistory: (input) =>
        send(client.paths.versionHistoryAt({ urlParams: { name: input.name, ...optional("asOf", input.asOf) } })),
      diff: (input) =>
        Effect.map(
          send(
            client.paths.diffAt({
              urlParams: {
                registry: input.registry,
                from: input.from,
                ...optional("to", input.to),
                ...optional("organization", input.organization)
              }
            })
          ),
          // The change kinds travel as strings: the same kinds the library answers.
          (changed) => changed as Effect.Effect.Success<ReturnType<RegistrarShape["diff"]>>
        ),
      revert: (input) =>
        Effect.map(
          send(
            client.paths.revertAt({
              payload: {
                registry: input.registry,
                to: input.to,
                ...optional("organization", input.organization),
                ...optional("dryRun", input.dryRun),
                ...optional("partial", input.partial)
              }
            })
          ),
          (reverted) => reverted as Effect.Effect.Success<ReturnType<RegistrarShape["revert"]>>
        ),
      tagArtifactVersion: (input) =>
        send(client.paths.tagAt({ payload: { reference: input.reference, tag: input.tag } })),
      untagArtifactVersion: (input) =>
        send(client.paths.untagAt({ payload: { reference: input.reference, tag: input.tag } })),

      // automations (registry admins)
      createAutomation: (input) =>
        send(
          client.automations.createAutomation({
            path: registryPath(input),
            payload: { name: input.name, ...automationPayload(input) }
          })
        ),
      updateAutomation: (input) =>
        send(
          client.automations.updateAutomation({
            path: automationPath(input),
            payload: { ...automationPayload(input), ...optional("name", input.name) }
          })
        ),
      disableAutomation: (input) => send(client.automations.disableAutomation({ path: automationPath(input) })),
      enableAutomation: (input) => send(client.automations.enableAutomation({ path: automationPath(input) })),
      deleteAutomation: (input) => send(client.automations.deleteAutomation({ path: automationPath(input) })),
      listAutomations: (input) => send(client.automations.listAutomations({ path: registryPath(input) })),
      showAutomation: (input) => send(client.automations.showAutomation({ path: automationPath(input) })),
      testAutomation: (input) => send(client.automations.testAutomation({ path: automationPath(input) })),
      automationHistory: (input) =>
        send(
          client.automations.automationHistory({
            path: automationPath(input),
            urlParams: optional("limit", input.limit)
          })
        ),
      redeliver: (input) =>
        Effect.map(
          send(client.automations.redeliver({ path: { ...automationPath(input), delivery: segment(input.delivery) } })),
          (queued) => ({ deliveryId: queued.deliveryId, redeliveryOf: queued.redeliveryOf ?? input.delivery })
        ),
      setAutomationSecret: (input) =>
        send(
          client.automations.setAutomationSecret({
            path: { ...registryPath(input), name: segment(input.name) },
            payload: { value: input.value }
          })
        ),
      removeAutomationSecret: (input) =>
        send(
          client.automations.removeAutomationSecret({ path: { ...registryPath(input), name: segment(input.name) } })
        ),
      listAutomationSecrets: (input) => send(client.automations.listAutomationSecrets({ path: registryPath(input) }))
    }
    return service
  })

type Transport = HttpClientError.HttpClientError | ParseResult.ParseError | HttpApiError.HttpApiDecodeError

const isTransport = (error: unknown): error is Transport =>
  HttpClientError.isHttpClientError(error) ||
  ParseResult.isParseError(error) ||
  (typeof error === "object" && error !== null && (error as { _tag?: unknown })._tag === "HttpApiDecodeError")

const describeCause = (cause: unknown): string | undefined => {
  if (!(cause instanceof Error)) return undefined
  const inner = (cause as { cause?: unknown }).cause
  if (inner instanceof Error) {
    const code = (inner as { code?: unknown }).code
    return typeof code === "string" ? code : inner.message
  }
  return cause.message
}

// The server could not be reached, or answered what this client cannot read.
const fromTransport = (server: string, error: Transport): ServerUnreachable | ServerAnswerInvalid =>
  HttpClientError.isHttpClientError(error) && error._tag === "RequestError"
    ? new ServerUnreachable({
        server,
        detail: describeCause(error.cause) ?? (error as HttpClientError.RequestError).reason
      })
    : new ServerAnswerInvalid({
        server,
        detail:
          HttpClientError.isHttpClientError(error) && error._tag === "ResponseError"
            ? `${error.reason}, status ${error.response.status}`
            : "a body that does not match the API"
      })

/** The user the key authenticates as (`GET /me`): how `login` checks a key, and the actor of remote commands. */
export const whoAmI = (server: string, key: string) =>
  Effect.gen(function* () {
    const client = yield* lazyClient(server, key)
    return yield* client.keys.me()
  }).pipe(Effect.catchIf(isTransport, (error) => Effect.fail(fromTransport(server, error))))
