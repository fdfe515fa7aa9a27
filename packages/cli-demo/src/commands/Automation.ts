/**
 * `automation`: webhooks on registry events (registry admins), on the local store or a server: create, list, show,
 * update, disable, enable, delete, test, history, redeliver, and the registry's secrets (`secret set|list|remove`).
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import { type AutomationFields, type AutomationView, Automations, type DeliveryView } from "@registrar/domain"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { boundedInteger } from "../Common.js"
import { UsageError } from "../Errors.js"
import * as Output from "../Output.js"
import { help, leaf } from "../Root.js"
import { asUser, type UserSession } from "../Session.js"
import { locateRegistry, orgOption } from "./RegistryArgs.js"

const registry = Options.text("registry").pipe(
  Options.withPseudoName("REGISTRY"),
  Options.withDescription("The registry: ORG/wandb-registry-NAME, wandb-registry-NAME or NAME (with --org).")
)
const nameArg = Args.text({ name: "name" }).pipe(
  Args.withDescription("The automation's name (unique in the registry).")
)

const events = Options.choice("event", Automations.Model.eventTypes).pipe(
  Options.withDescription(
    "An event type to react to (repeatable): LINK_ARTIFACT (a version linked), UNLINK_ARTIFACT, ADD_ARTIFACT_ALIAS (an alias added or moved onto a version), REMOVE_ARTIFACT_ALIAS, CREATE_ARTIFACT (a new version of an artifact linked in scope), ADD_COLLECTION_TAG, REMOVE_COLLECTION_TAG."
  ),
  Options.repeated
)
const definition = {
  description: Options.text("description").pipe(Options.optional),
  collection: Options.text("collection").pipe(
    Options.withDescription(
      "Only this collection of the registry (default: the whole registry, later collections too)."
    ),
    Options.optional
  ),
  filter: Options.text("filter").pipe(
    Options.withDescription(
      `Only events whose alias or tag passes this filter, e.g. '{"alias": {"$regex": "^prod"}}'.`
    ),
    Options.optional
  ),
  url: Options.text("url").pipe(
    Options.withDescription(
      "The webhook (http or https). Without one the automation is a no-op that records deliveries."
    ),
    Options.optional
  ),
  header: Options.text("header").pipe(
    Options.withPseudoName("HEADER=SECRET"),
    Options.withDescription(
      "A request header whose value is a secret of the registry (repeatable), e.g. Authorization=ci-token."
    ),
    Options.repeated
  ),
  template: Options.text("template").pipe(
    Options.withDescription(
      "The JSON payload, with ${event_type} ${event_author} ${entity_name} ${project_name} ${artifact_collection_name} ${artifact_version} ${artifact_version_string} ${alias} ${tag} ${artifact_metadata.KEY} inside strings (default: every variable)."
    ),
    Options.optional
  ),
  signingSecret: Options.text("signing-secret").pipe(
    Options.withDescription("The secret that signs each request (X-Registrar-Signature, X-Wandb-Signature)."),
    Options.optional
  ),
  org: orgOption,
  registry
}

const headersOf = (given: ReadonlyArray<string>) =>
  Effect.forEach(given, (entry) => {
    const equals = entry.indexOf("=")
    return equals <= 0
      ? Effect.fail(
          new UsageError({
            problem: `--header "${entry}" names no secret`,
            fix: "write HEADER=SECRET, e.g. Authorization=ci-token"
          })
        )
      : Effect.succeed({ name: entry.slice(0, equals), secret: entry.slice(equals + 1) })
  })

type DefinitionArgs = {
  readonly description: Option.Option<string>
  readonly collection: Option.Option<string>
  readonly filter: Option.Option<string>
  readonly url: Option.Option<string>
  readonly header: ReadonlyArray<string>
  readonly template: Option.Option<string>
  readonly signingSecret: Option.Option<string>
}

const fieldsOf = (args: DefinitionArgs, eventTypes: ReadonlyArray<Automations.Model.EventType>) =>
  Effect.map(
    headersOf(args.header),
    (headers): AutomationFields => ({
      description: Option.getOrUndefined(args.description),
      collection: Option.getOrUndefined(args.collection),
      filter: Option.getOrUndefined(args.filter),
      eventTypes: eventTypes.length === 0 ? undefined : eventTypes,
      action: Option.match(args.url, {
        onNone: () => undefined,
        onSome: (url) => ({
          kind: "webhook" as const,
          url,
          headers,
          payloadTemplate: Option.getOrUndefined(args.template),
          signingSecret: Option.getOrNull(args.signingSecret)
        })
      })
    })
  )

const describeScope = (automation: AutomationView) =>
  automation.scope.kind === "registry" ? "registry" : `collection ${automation.scope.collection}`

const describeAction = (automation: AutomationView) =>
  automation.action.kind === "noop" ? "no-op" : `POST ${automation.action.url}`

const showOne = (automation: AutomationView) =>
  Output.fields([
    ["name", automation.name],
    ["id", automation.automationId],
    ["registry", `${automation.organization}/wandb-registry-${automation.registry}`],
    ["enabled", String(automation.enabled)],
    ["events", automation.eventTypes.join(", ")],
    ["scope", describeScope(automation)],
    ["filter", automation.filter ?? "-"],
    ["action", describeAction(automation)],
    ...(automation.action.kind === "webhook"
      ? ([
          [
            "headers",
            Output.list(automation.action.headers.map((header) => `${header.name} (secret ${header.secret})`))
          ],
          ["signed by", automation.action.signingSecret ?? "- (unsigned)"],
          ["payload", automation.action.payloadTemplate]
        ] as const)
      : []),
    ["updated", Output.time(automation.updatedAt)]
  ])

/** Runs a command on the located registry as the acting user. */
const onRegistry = <A, E>(
  common: Parameters<typeof asUser>[0],
  args: { readonly registry: string; readonly org: Option.Option<string> },
  body: (
    session: UserSession,
    where: { readonly actor: string; readonly organization: string; readonly registry: string }
  ) => Effect.Effect<A, E>
) =>
  asUser(common, (session) =>
    Effect.flatMap(locateRegistry(session.registrar, session.actor, args.registry, args.org), (located) =>
      body(session, { actor: session.actor, ...located })
    )
  )

const create = leaf(
  "create",
  { name: nameArg, events, ...definition },
  help(
    "Create an automation: when one of its events happens in its scope (and passes its filter), POST its payload to the webhook. Deliveries are made by `registrar serve` (at least once, in log order per automation, retried with backoff); see them with `automation history`. Registry admins only.",
    `registrar automation create deploy --registry Models --event ADD_ARTIFACT_ALIAS --filter '{"alias": {"$regex": "^prod"}}' --url https://ci.example.com/hooks/deploy --header Authorization=ci-token --signing-secret webhook-signing --template '{"version": "\${artifact_version_string}", "alias": "\${alias}"}' --as alice`,
    "registrar automation create audit --registry Models --collection Classifier --event LINK_ARTIFACT --as alice"
  ),
  (args, common) =>
    onRegistry(common, args, ({ registrar }, where) =>
      Effect.gen(function* () {
        const fields = yield* fieldsOf(args, args.events)
        const created = yield* registrar.createAutomation({ ...where, ...fields, name: args.name })
        yield* Output.emit(common, created, () => `Created automation ${created.name}.\n${showOne(created)}`)
      })
    )
)

const update = leaf(
  "update",
  {
    name: nameArg,
    events,
    ...definition,
    rename: Options.text("rename").pipe(Options.withDescription("A new name."), Options.optional),
    wholeRegistry: Options.boolean("whole-registry").pipe(
      Options.withDescription("Listen to the whole registry again.")
    ),
    noFilter: Options.boolean("no-filter").pipe(Options.withDescription("Drop the filter.")),
    noop: Options.boolean("noop").pipe(Options.withDescription("Make it a no-op (no webhook)."))
  },
  help(
    "Change an automation: the options given replace what it had (--url replaces the whole webhook: give its headers, template and signing secret again).",
    "registrar automation update deploy --registry Models --event ADD_ARTIFACT_ALIAS --event LINK_ARTIFACT --as alice",
    "registrar automation update deploy --registry Models --no-filter --as alice"
  ),
  (args, common) =>
    onRegistry(common, args, ({ registrar }, where) =>
      Effect.gen(function* () {
        const fields = yield* fieldsOf(args, args.events)
        const updated = yield* registrar.updateAutomation({
          ...where,
          ...fields,
          automation: args.name,
          name: Option.getOrUndefined(args.rename),
          ...(args.wholeRegistry ? { collection: null } : {}),
          ...(args.noFilter ? { filter: null } : {}),
          ...(args.noop ? { action: { kind: "noop" as const } } : {})
        })
        yield* Output.emit(common, updated, () => `Updated automation ${updated.name}.\n${showOne(updated)}`)
      })
    )
)

const byName = (
  name: string,
  description: string,
  example: string,
  run: (
    session: UserSession,
    input: {
      readonly actor: string
      readonly organization: string
      readonly registry: string
      readonly automation: string
    }
  ) => Effect.Effect<AutomationView, unknown>,
  done: string | ((automation: AutomationView) => string)
) =>
  leaf(name, { name: nameArg, org: orgOption, registry }, help(description, example), (args, common) =>
    onRegistry(common, args, (session, where) =>
      Effect.flatMap(run(session, { ...where, automation: args.name }), (automation) =>
        Output.emit(common, automation, () =>
          typeof done === "string" ? `${done} ${automation.name}.` : done(automation)
        )
      )
    )
  )

const disable = byName(
  "disable",
  "Stop an automation reacting to events (deliveries already queued still go out).",
  "registrar automation disable deploy --registry Models --as alice",
  ({ registrar }, input) => registrar.disableAutomation(input),
  "Disabled automation"
)
const enable = byName(
  "enable",
  "Let a disabled automation react to events again, from the next event on.",
  "registrar automation enable deploy --registry Models --as alice",
  ({ registrar }, input) => registrar.enableAutomation(input),
  "Enabled automation"
)
const remove = byName(
  "delete",
  "Delete an automation: it reacts to nothing more and its name is free (its delivery history stays in the log).",
  "registrar automation delete deploy --registry Models --as alice",
  ({ registrar }, input) => registrar.deleteAutomation(input),
  "Deleted automation"
)
const show = byName(
  "show",
  "Show an automation: events, scope, filter, webhook, the names of the secrets it uses (never their values).",
  "registrar automation show deploy --registry Models --as alice",
  ({ registrar }, input) => registrar.showAutomation(input),
  showOne
)

const list = leaf(
  "list",
  { org: orgOption, registry },
  help("List a registry's automations.", "registrar automation list --registry Models --as alice"),
  (args, common) =>
    onRegistry(common, args, ({ registrar }, where) =>
      Effect.flatMap(registrar.listAutomations(where), (automations) =>
        Output.emit(common, automations, () =>
          Output.table(
            ["NAME", "ENABLED", "EVENTS", "SCOPE", "FILTER", "ACTION"],
            automations.map((automation) => [
              automation.name,
              automation.enabled ? "yes" : "no",
              automation.eventTypes.join(","),
              describeScope(automation),
              automation.filter ?? "-",
              describeAction(automation)
            ]),
            "no automations"
          )
        )
      )
    )
)

const test = leaf(
  "test",
  { name: nameArg, org: orgOption, registry },
  help(
    "Queue a test delivery (event type TEST, sample values) to the automation's webhook; the server sends it like any other. See the answer with `automation history`.",
    "registrar automation test deploy --registry Models --as alice"
  ),
  (args, common) =>
    onRegistry(common, args, ({ registrar }, where) =>
      Effect.flatMap(registrar.testAutomation({ ...where, automation: args.name }), (queued) =>
        Output.emit(common, queued, () => `Queued test delivery ${queued.deliveryId}.`)
      )
    )
)

const describeDelivery = (delivery: DeliveryView) => {
  const last = delivery.attempts.at(-1)
  return [
    delivery.deliveryId,
    delivery.eventType,
    delivery.status,
    String(delivery.attempts.length),
    last === undefined ? "-" : last.status === null ? (last.error ?? "no answer") : String(last.status),
    Output.time(delivery.queuedAt),
    delivery.reason ?? (delivery.redeliveryOf === null ? "" : `redelivery of ${delivery.redeliveryOf}`)
  ]
}

const history = leaf(
  "history",
  {
    name: nameArg,
    org: orgOption,
    registry,
    limit: boundedInteger("limit", 1, 1000).pipe(
      Options.withDescription("At most this many, newest first (1 to 1000)."),
      Options.withDefault(100)
    )
  },
  help(
    "An automation's deliveries, newest first: event, status (pending, succeeded, given_up), attempts, the last answer, and why a delivery was given up. --json has every attempt with its duration and response excerpt.",
    "registrar automation history deploy --registry Models --as alice"
  ),
  (args, common) =>
    onRegistry(common, args, ({ registrar }, where) =>
      Effect.flatMap(
        registrar.automationHistory({ ...where, automation: args.name, limit: args.limit }),
        (deliveries) =>
          Output.emit(common, deliveries, () =>
            Output.table(
              ["DELIVERY", "EVENT", "STATUS", "ATTEMPTS", "LAST", "QUEUED", "NOTE"],
              deliveries.map(describeDelivery),
              "no deliveries"
            )
          )
      )
    )
)

const redeliver = leaf(
  "redeliver",
  {
    name: nameArg,
    delivery: Args.text({ name: "delivery" }).pipe(Args.withDescription("The delivery id (see automation history).")),
    org: orgOption,
    registry
  },
  help(
    "Send a past delivery again (the same payload, under a new delivery id that names the original), e.g. after fixing the receiver.",
    "registrar automation redeliver deploy 0189bdfc-3b20-82ee-8413-d1e6956dde84 --registry Models --as alice"
  ),
  (args, common) =>
    onRegistry(common, args, ({ registrar }, where) =>
      Effect.flatMap(registrar.redeliver({ ...where, automation: args.name, delivery: args.delivery }), (queued) =>
        Output.emit(common, queued, () => `Queued ${queued.deliveryId} (a redelivery of ${queued.redeliveryOf}).`)
      )
    )
)

const readStdin = Effect.async<string>((resume) => {
  let text = ""
  process.stdin.setEncoding("utf8")
  process.stdin.on("data", (chunk) => {
    text += chunk
  })
  process.stdin.once("end", () => resume(Effect.succeed(text.replace(/\r?\n$/, ""))))
})

const secretName = Args.text({ name: "name" }).pipe(Args.withDescription("The secret's name."))

const setSecret = leaf(
  "set",
  { name: secretName, org: orgOption, registry },
  help(
    "Set a secret of the registry's automations, read from stdin (pipe it in: a value on the command line would land in your shell history). It is sealed with $REGISTRAR_SECRETS_KEY of the process that stores it (the server, remotely) and never shown again.",
    "registrar automation secret set ci-token --registry Models --as alice < token.txt"
  ),
  (args, common) =>
    onRegistry(common, args, ({ registrar }, where) =>
      Effect.gen(function* () {
        if (process.stdin.isTTY === true) yield* Output.note(`Value of ${args.name}, then Ctrl-D:`)
        const value = yield* readStdin
        const set = yield* registrar.setAutomationSecret({ ...where, name: args.name, value })
        yield* Output.emit(common, set, () => `Set secret ${set.name}.`)
      })
    )
)

const listSecrets = leaf(
  "list",
  { org: orgOption, registry },
  help(
    "List the names of a registry's secrets (never their values).",
    "registrar automation secret list --registry Models --as alice"
  ),
  (args, common) =>
    onRegistry(common, args, ({ registrar }, where) =>
      Effect.flatMap(registrar.listAutomationSecrets(where), (secrets) =>
        Output.emit(common, secrets, () =>
          Output.table(
            ["NAME", "SET"],
            secrets.map((secret) => [secret.name, Output.time(secret.setAt)]),
            "no secrets"
          )
        )
      )
    )
)

const removeSecret = leaf(
  "remove",
  { name: secretName, org: orgOption, registry },
  help(
    "Remove a secret; automations naming it give their deliveries up, saying why.",
    "registrar automation secret remove ci-token --registry Models --as alice"
  ),
  (args, common) =>
    onRegistry(common, args, ({ registrar }, where) =>
      Effect.flatMap(registrar.removeAutomationSecret({ ...where, name: args.name }), (removed) =>
        Output.emit(common, removed, () => `Removed secret ${removed.name}.`)
      )
    )
)

const secret = Command.make("secret").pipe(
  Command.withDescription("The registry's automation secrets: header values and signing keys, never shown once set."),
  Command.withSubcommands([setSecret, listSecrets, removeSecret])
)

/** `automation …`. */
export const automation = Command.make("automation").pipe(
  Command.withDescription(
    "Webhooks on registry events (W&B automations), for registry admins: when a version is linked, an alias moves or a tag changes, POST a JSON payload, signed, at least once, in order, with every delivery in history. Delivered by `registrar serve`."
  ),
  Command.withSubcommands([create, list, show, update, disable, enable, remove, test, history, redeliver, secret])
)

/** The automation commands. */
export const commands = [automation] as const
