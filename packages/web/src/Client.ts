/**
 * The API client, derived from the same `HttpApi` definition as the server (`HttpApiClient.make(RegistrarApi)`): a
 * change to an endpoint is a type error here. Requests go to this origin; the session cookie travels with them.
 */
import { FetchHttpClient, type HttpApi, HttpApiClient, HttpClient } from "@effect/platform"
import { RegistrarApi } from "@registrar/api"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"

type Definition =
  typeof RegistrarApi extends HttpApi.HttpApi<string, infer Groups, infer E, infer _R>
    ? { readonly groups: Groups; readonly error: E }
    : never

/** The derived client: one method per endpoint, grouped as the definition groups them. */
export type Client = HttpApiClient.Client<Definition["groups"], Definition["error"], never>

const httpClient = Effect.runSync(Effect.provide(HttpClient.HttpClient, FetchHttpClient.layer))
const built = new Map<string, (request: unknown) => Effect.Effect<unknown, unknown>>()

/**
 * One endpoint's method, derived from the definition when first called (`HttpApiClient.endpoint`): deriving all ~90
 * endpoints up front (`HttpApiClient.make`) costs about a second of script time, each of them a few milliseconds.
 */
const method = (group: string, endpoint: string) => {
  const key = `${group}.${endpoint}`
  let found = built.get(key)
  if (found === undefined) {
    found = Effect.runSync(
      HttpApiClient.endpoint(RegistrarApi, {
        group: group as never,
        endpoint: endpoint as never,
        httpClient,
        baseUrl: window.location.origin
      })
    ) as unknown as (request: unknown) => Effect.Effect<unknown, unknown>
    built.set(key, found)
  }
  return found
}

/** The client: typed as `HttpApiClient.make(RegistrarApi)` would be, each method derived on first use. */
const client = new Proxy(
  {},
  {
    get: (_, group) =>
      new Proxy(
        {},
        { get: (__, endpoint) => (request?: unknown) => method(String(group), String(endpoint))(request ?? {}) }
      )
  }
) as Client

/** A failure as the app shows it: the problem's tag and its message for people. */
export interface Failure {
  readonly tag: string
  readonly message: string
}

/** The failure an API call ended with. */
export const toFailure = (error: unknown): Failure => {
  if (typeof error === "object" && error !== null) {
    const tagged = error as { _tag?: unknown; message?: unknown }
    const tag = typeof tagged._tag === "string" ? tagged._tag : "Error"
    const message = typeof tagged.message === "string" && tagged.message !== "" ? tagged.message : String(error)
    return { tag, message }
  }
  return { tag: "Error", message: String(error) }
}

/** Runs one call of the client; rejects with a {@link Failure}. */
export const api = async <A, E>(call: (client: Client) => Effect.Effect<A, E>): Promise<A> => {
  const result = await Effect.runPromise(Effect.either(call(client)))
  if (Either.isLeft(result)) throw toFailure(result.left)
  return result.right
}
