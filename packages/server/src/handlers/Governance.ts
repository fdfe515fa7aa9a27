/** The governance group: promote, an alias's history, diff, revert. */
import { HttpApiBuilder } from "@effect/platform"
import { RegistrarApi } from "@registrar/api"
import { Registrar, registryProjectName } from "@registrar/domain"
import { Effect } from "effect"
import { call, callerRequest, sourceVersionPath } from "./Call.js"

/** The governance group. */
export const GovernanceLive = HttpApiBuilder.group(RegistrarApi, "governance", (handlers) =>
  Effect.gen(function* () {
    const registrar = yield* Registrar
    return handlers
      .handle("promote", ({ path, payload, headers }) =>
        Effect.flatMap(callerRequest(headers), (request) =>
          // Entries name a collection of the path's registry: `COLLECTION:ALIAS=vN`.
          call(
            registrar.promote({
              ...request,
              set: payload.set.map((entry) => scoped(path, entry)),
              expect: (payload.expect ?? []).map((entry) => scoped(path, entry))
            })
          )
        )
      )
      .handle("aliasHistory", ({ path, urlParams }) =>
        Effect.flatMap(callerRequest(), (request) =>
          call(
            registrar.aliasHistory({
              ...request,
              ...urlParams,
              organization: path.organization,
              registry: path.registry,
              alias: path.alias
            })
          )
        )
      )
      .handle("diff", ({ path, urlParams }) =>
        Effect.flatMap(callerRequest(), (request) =>
          call(registrar.diff({ ...request, ...urlParams, organization: path.organization, registry: path.registry }))
        )
      )
      .handle("tagArtifactVersion", ({ path }) =>
        Effect.flatMap(callerRequest(), (request) =>
          call(registrar.tagArtifactVersion({ ...request, reference: sourceVersionPath(path), tag: path.tag }))
        )
      )
      .handle("untagArtifactVersion", ({ path }) =>
        Effect.flatMap(callerRequest(), (request) =>
          call(registrar.untagArtifactVersion({ ...request, reference: sourceVersionPath(path), tag: path.tag }))
        )
      )
      .handle("revert", ({ path, payload }) =>
        Effect.flatMap(callerRequest(), (request) =>
          call(registrar.revert({ ...request, ...payload, organization: path.organization, registry: path.registry }))
        )
      )
  })
)

/** An entry `COLLECTION:ALIAS=vN` of the path's registry, as the domain reads it: `ORG/wandb-registry-R/…`. */
const scoped = (path: { readonly organization: string; readonly registry: string }, entry: string) =>
  `${path.organization}/${registryProjectName(path.registry)}/${entry}`
