/**
 * The API client, derived from the same `HttpApi` definition as the server (`HttpApiClient.make(RegistrarApi)`): a
 * change to an endpoint is a type error here. Requests go to this origin; the session cookie travels with them.
 */
import { FetchHttpClient, type HttpApi, HttpApiClient } from "@effect/platform"
import { RegistrarApi } from "@registrar/api"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"

type Definition =
  typeof RegistrarApi extends HttpApi.HttpApi<string, infer Groups, infer E, infer _R>
    ? { readonly groups: Groups; readonly error: E }
    : never

/** The derived client: one method per endpoint, grouped as the definition groups them. */
export type Client = HttpApiClient.Client<Definition["groups"], Definition["error"], never>

const client: Promise<Client> = Effect.runPromise(
  Effect.provide(HttpApiClient.make(RegistrarApi, { baseUrl: window.location.origin }), FetchHttpClient.layer)
)

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
  const resolved = await client
  const result = await Effect.runPromise(Effect.either(call(resolved)))
  if (Either.isLeft(result)) throw toFailure(result.left)
  return result.right
}
