/**
 * The find group: the filter-language listings, each passed to the `Registrar` service unchanged (the filter as its
 * JSON text, so the library's parsing, bounds and typed errors are the ones the caller sees).
 */
import { HttpApiBuilder } from "@effect/platform"
import { RegistrarApi } from "@registrar/api"
import { Registrar } from "@registrar/domain"
import { Effect } from "effect"
import { call, callerRequest } from "./Call.js"

/** The find group. */
export const FindLive = HttpApiBuilder.group(RegistrarApi, "find", (handlers) =>
  Effect.gen(function* () {
    const registrar = yield* Registrar
    return handlers
      .handle("findRegistries", ({ urlParams }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.registries({ ...request, ...urlParams })))
      )
      .handle("findCollections", ({ urlParams }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.collections({ ...request, ...urlParams })))
      )
      .handle("findVersions", ({ urlParams }) =>
        Effect.flatMap(callerRequest(), (request) => call(registrar.versions({ ...request, ...urlParams })))
      )
  })
)
