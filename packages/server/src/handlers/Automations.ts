/** The automations group: thin handlers over the service's automation methods (registry admins). */
import { HttpApiBuilder } from "@effect/platform"
import { RegistrarApi } from "@registrar/api"
import { Registrar } from "@registrar/domain"
import { Effect } from "effect"
import { call, callerRequest } from "./Call.js"

/** The automations group. */
export const AutomationsLive = HttpApiBuilder.group(RegistrarApi, "automations", (handlers) =>
  Effect.gen(function* () {
    const registrar = yield* Registrar
    const as = <A, E>(run: (request: { actor: string }) => Effect.Effect<A, E>) =>
      Effect.flatMap(callerRequest(), (request) => call(run(request)))
    return handlers
      .handle("listAutomations", ({ path }) => as((request) => registrar.listAutomations({ ...request, ...path })))
      .handle("createAutomation", ({ path, payload }) =>
        as((request) => registrar.createAutomation({ ...request, ...path, ...payload }))
      )
      .handle("showAutomation", ({ path }) => as((request) => registrar.showAutomation({ ...request, ...path })))
      .handle("updateAutomation", ({ path, payload }) =>
        as((request) => registrar.updateAutomation({ ...request, ...path, ...payload }))
      )
      .handle("deleteAutomation", ({ path }) => as((request) => registrar.deleteAutomation({ ...request, ...path })))
      .handle("disableAutomation", ({ path }) => as((request) => registrar.disableAutomation({ ...request, ...path })))
      .handle("enableAutomation", ({ path }) => as((request) => registrar.enableAutomation({ ...request, ...path })))
      .handle("testAutomation", ({ path }) => as((request) => registrar.testAutomation({ ...request, ...path })))
      .handle("automationHistory", ({ path, urlParams }) =>
        as((request) => registrar.automationHistory({ ...request, ...path, limit: urlParams.limit }))
      )
      .handle("redeliver", ({ path }) => as((request) => registrar.redeliver({ ...request, ...path })))
      .handle("listAutomationSecrets", ({ path }) =>
        as((request) => registrar.listAutomationSecrets({ ...request, ...path }))
      )
      .handle("setAutomationSecret", ({ path, payload }) =>
        as((request) => registrar.setAutomationSecret({ ...request, ...path, value: payload.value }))
      )
      .handle("removeAutomationSecret", ({ path }) =>
        as((request) => registrar.removeAutomationSecret({ ...request, ...path }))
      )
  })
)
