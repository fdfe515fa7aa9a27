/**
 * What an automation is, as W&B's Registry automations: the event types it reacts to, its scope (one registry,
 * covering collections created later, or one collection), an optional filter on the alias or tag, and its action
 * (a webhook with a JSON payload template, or a no-op for testing). Pure: shapes, validation and rendering only.
 */
import { Either, Schema } from "effect"
import { InvalidAutomationName, InvalidPayloadTemplate, InvalidWebhookUrl, UnknownTemplateVariable } from "./Errors.js"

// ---- event types -------------------------------------------------------------------------------------------------

/** The registry events an automation can react to (W&B's names; the last two are collection tag changes). */
export const EventType = Schema.Literal(
  "LINK_ARTIFACT",
  "UNLINK_ARTIFACT",
  "ADD_ARTIFACT_ALIAS",
  "REMOVE_ARTIFACT_ALIAS",
  "CREATE_ARTIFACT",
  "ADD_COLLECTION_TAG",
  "REMOVE_COLLECTION_TAG"
)
/** A registry event type an automation reacts to. */
export type EventType = typeof EventType.Type

/** Every event type, in a stable order. */
export const eventTypes: ReadonlyArray<EventType> = EventType.literals

// ---- scope ---------------------------------------------------------------------------------------------------------

/** Where an automation listens: its whole registry (collections created later too), or one collection by id. */
export const Scope = Schema.Union(
  Schema.Struct({ kind: Schema.Literal("registry") }),
  Schema.Struct({ kind: Schema.Literal("collection"), collectionId: Schema.String, collection: Schema.String })
)
/** Where an automation listens. */
export type Scope = typeof Scope.Type

// ---- action --------------------------------------------------------------------------------------------------------

/** A request header whose value is a named secret of the registry's automations. */
export const SecretHeader = Schema.Struct({ name: Schema.String, secret: Schema.String })
/** A request header from a secret. */
export type SecretHeader = typeof SecretHeader.Type

/** A webhook: the URL, headers from secrets, the payload template, and the secret that signs each request. */
export const WebhookAction = Schema.Struct({
  kind: Schema.Literal("webhook"),
  url: Schema.String,
  headers: Schema.Array(SecretHeader),
  payloadTemplate: Schema.String,
  signingSecret: Schema.NullOr(Schema.String)
})
/** A webhook action. */
export type WebhookAction = typeof WebhookAction.Type

/** What an automation does: call a webhook, or nothing (a no-op records its deliveries, for testing). */
export const Action = Schema.Union(WebhookAction, Schema.Struct({ kind: Schema.Literal("noop") }))
/** What an automation does. */
export type Action = typeof Action.Type

// ---- names and URLs ------------------------------------------------------------------------------------------------

/** Automation and secret names: a letter or digit, then letters, digits, `-`, `_` or `.`, at most 64. */
export const namePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/

/** An automation or secret name, or InvalidAutomationName. */
export const validateName = (kind: "automation" | "secret", name: string) =>
  namePattern.test(name) ? Either.right(name) : Either.left(new InvalidAutomationName({ kind, name }))

/** The longest webhook URL. */
export const MAX_URL_LENGTH = 2048

/** A webhook URL: absolute, http or https, no credentials in it, at most {@link MAX_URL_LENGTH} characters. */
export const validateUrl = (url: string): Either.Either<string, InvalidWebhookUrl> => {
  const refuse = (reason: string) => Either.left(new InvalidWebhookUrl({ url: url.slice(0, 200), reason }))
  if (url.length > MAX_URL_LENGTH) return refuse(`it is longer than ${MAX_URL_LENGTH} characters`)
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([/?#].*)?$/s.exec(url)
  if (match === null) return refuse("it is not an absolute URL")
  const scheme = match[1]!.toLowerCase()
  if (scheme !== "http" && scheme !== "https") return refuse("only http and https are allowed")
  const authority = match[2]!
  if (authority.includes("@")) {
    return refuse("credentials in the URL would be stored and shown; put them in a header from a secret")
  }
  if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$/.test(authority)) return refuse("its host is not valid")
  if (/[\s\p{Cc}]/u.test(url)) return refuse("it contains spaces or control characters")
  return Either.right(`${scheme}://${authority.toLowerCase()}${match[3] ?? ""}`)
}

// ---- payload templates --------------------------------------------------------------------------------------------

/** W&B's payload variables (plus `artifact_metadata.KEY` for any metadata key). */
export const templateVariables = [
  "event_type",
  "event_author",
  "entity_name",
  "project_name",
  "artifact_collection_name",
  "artifact_version",
  "artifact_version_string",
  "alias",
  "tag"
] as const

/** The longest payload template. */
export const MAX_TEMPLATE_LENGTH = 16 * 1024

/** The template used when none is given: every variable. */
export const defaultTemplate = `{${templateVariables.map((name) => `"${name}": "\${${name}}"`).join(", ")}}`

const variablePattern = /\$\{([^}]*)\}/g
const metadataKey = /^artifact_metadata\.[A-Za-z0-9_.-]{1,128}$/

/** The variables a template uses. */
export const variablesOf = (template: string): ReadonlyArray<string> =>
  [...template.matchAll(variablePattern)].map((match) => match[1]!)

/** A payload template: every variable known, and valid JSON once the variables are filled in. */
export const validateTemplate = (
  template: string
): Either.Either<string, InvalidPayloadTemplate | UnknownTemplateVariable> => {
  if (template.length > MAX_TEMPLATE_LENGTH) {
    return Either.left(new InvalidPayloadTemplate({ reason: `it is longer than ${MAX_TEMPLATE_LENGTH} characters` }))
  }
  for (const variable of variablesOf(template)) {
    if (!(templateVariables as ReadonlyArray<string>).includes(variable) && !metadataKey.test(variable)) {
      return Either.left(new UnknownTemplateVariable({ variable: variable.slice(0, 80) }))
    }
  }
  try {
    JSON.parse(template.replace(variablePattern, "x"))
  } catch (error) {
    return Either.left(
      new InvalidPayloadTemplate({ reason: `it is not JSON once variables are filled in (${String(error)})` })
    )
  }
  return Either.right(template)
}

/** The values of one event's variables; metadata keys are read from `artifactMetadata`. */
export interface TemplateValues {
  readonly event_type: string
  readonly event_author: string
  readonly entity_name: string
  readonly project_name: string
  readonly artifact_collection_name: string
  readonly artifact_version: string
  readonly artifact_version_string: string
  readonly alias: string
  readonly tag: string
  readonly artifactMetadata: Readonly<Record<string, unknown>>
}

const textOf = (value: unknown): string =>
  value === undefined || value === null ? "" : typeof value === "string" ? value : JSON.stringify(value)

/**
 * Fills a template in. Each value is escaped as the inside of a JSON string, so a value can never break out of the
 * string it is written in (variables belong inside strings, as in W&B's examples).
 */
export const render = (template: string, values: TemplateValues): string =>
  template.replace(variablePattern, (_, variable: string) => {
    const raw = variable.startsWith("artifact_metadata.")
      ? values.artifactMetadata[variable.slice("artifact_metadata.".length)]
      : (values as unknown as Record<string, unknown>)[variable]
    return JSON.stringify(textOf(raw)).slice(1, -1)
  })
