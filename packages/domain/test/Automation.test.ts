/**
 * Automations in the domain: the book decider (names unique, definitions validated when saved, secrets named must
 * exist, retries change nothing), the deliveries decider (in order, attempts until received or given up,
 * redelivery), templates, filters, triggers, retry classification and signatures.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as Attempt from "../src/Automation/Attempt.js"
import * as Book from "../src/Automation/Book.js"
import * as Deliveries from "../src/Automation/Deliveries.js"
import * as AutomationEvents from "../src/Automation/Events.js"
import * as Model from "../src/Automation/Model.js"
import { builtIn } from "../src/Automation/TriggerFilter.js"
import * as Triggers from "../src/Automation/Triggers.js"
import * as Collection from "../src/Collection.js"
import * as Registry from "../src/Registry.js"
import { WebhookFailed } from "../src/Automation/Ports.js"
import { spec } from "../testing/DeciderSpec.js"

const book = spec(Book.decider)
const deliveries = spec(Deliveries.decider)
const AT = "2026-01-01T00:00:00.000Z"

const webhook = (overrides: Partial<Model.WebhookAction> = {}): Model.Action => ({
  kind: "webhook",
  url: "https://ci.example.com/hook",
  headers: [],
  payloadTemplate: Model.defaultTemplate,
  signingSecret: null,
  ...overrides
})
const definition = (overrides: Partial<Book.Definition> = {}): Book.Definition => ({
  name: "deploy",
  description: "",
  scope: { kind: "registry" },
  eventTypes: ["ADD_ARTIFACT_ALIAS"],
  filter: null,
  action: webhook(),
  ...overrides
})
const create = (overrides: Partial<Book.Definition> = {}): Book.Command => ({
  _tag: "CreateAutomation",
  registry: "models",
  organization: "acme",
  automationId: "a1",
  definition: definition(overrides),
  at: AT
})
const created = new AutomationEvents.AutomationCreated({
  ...definition(),
  automationId: "a1",
  organization: "acme",
  registry: "models",
  at: AT
})
const secretSet = new AutomationEvents.AutomationSecretSet({ name: "token", sealed: "sealed-bytes", at: AT })

describe("an empty book", () => {
  it("creates an automation", () => {
    book.given().when(create()).then(created)
  })
  it("refuses a template with an unknown variable when saved", () => {
    book
      .given()
      .when(create({ action: webhook({ payloadTemplate: '{"v": "${artifact_verison}"}' }) }))
      .thenFails("UnknownTemplateVariable", "artifact_verison")
  })
  it("refuses a URL that is not http(s), or that carries credentials", () => {
    book
      .given()
      .when(create({ action: webhook({ url: "file:///etc/passwd" }) }))
      .thenFails("InvalidWebhookUrl", "http")
    book
      .given()
      .when(create({ action: webhook({ url: "https://u:p@x.example/" }) }))
      .thenFails("InvalidWebhookUrl", "credentials")
  })
  it("refuses a filter on another field, and no event types", () => {
    book
      .given()
      .when(create({ filter: '{"version": "v1"}' }))
      .thenFails("InvalidTriggerFilter", "alias")
    book
      .given()
      .when(create({ eventTypes: [] }))
      .thenFails("NoEventTypes", "LINK_ARTIFACT")
  })
  it("refuses a secret it does not have", () => {
    book
      .given()
      .when(create({ action: webhook({ signingSecret: "token" }) }))
      .thenFails("AutomationSecretNotFound", "secret set")
  })
})

describe("a book with an automation", () => {
  it("treats the same create again as a retry, and another under the name as taken", () => {
    book.given(created).when(create()).thenNothing()
    book
      .given(created)
      .when(create({ eventTypes: ["LINK_ARTIFACT"] }))
      .thenFails("AutomationAlreadyExists", "update")
  })
  it("disables, enables and deletes it; disabling twice changes nothing", () => {
    const disabled = new AutomationEvents.AutomationDisabled({ automationId: "a1", at: AT })
    book.given(created).when({ _tag: "DisableAutomation", registry: "models", name: "deploy", at: AT }).then(disabled)
    book
      .given(created, disabled)
      .when({ _tag: "DisableAutomation", registry: "models", name: "deploy", at: AT })
      .thenNothing()
    book
      .given(created, disabled)
      .when({ _tag: "EnableAutomation", registry: "models", name: "deploy", at: AT })
      .then(new AutomationEvents.AutomationEnabled({ automationId: "a1", at: AT }))
    const state = book
      .given(created)
      .when({ _tag: "DeleteAutomation", registry: "models", name: "deploy", at: AT })
      .then(new AutomationEvents.AutomationDeleted({ automationId: "a1", at: AT }))
    expect(Book.byName(state, "deploy")).toBeUndefined()
  })
  it("updates it with a signing secret the book has", () => {
    book
      .given(created, secretSet)
      .when({
        _tag: "UpdateAutomation",
        registry: "models",
        name: "deploy",
        definition: definition({ action: webhook({ signingSecret: "token" }) }),
        at: AT
      })
      .then(
        new AutomationEvents.AutomationUpdated({
          ...definition({ action: webhook({ signingSecret: "token" }) }),
          automationId: "a1",
          at: AT
        })
      )
  })
  it("refuses to change an automation it does not have", () => {
    book
      .given(created)
      .when({ _tag: "DisableAutomation", registry: "models", name: "nope", at: AT })
      .thenFails("AutomationNotFound", "list")
  })
})

describe("secrets", () => {
  it("are stored sealed and removed; removing an unknown one is refused", () => {
    const state = book
      .given()
      .when({ _tag: "SetSecret", name: "token", sealed: "sealed-bytes", at: AT })
      .then(secretSet)
    expect(state.secrets.get("token")?.sealed).toBe("sealed-bytes")
    book
      .given(secretSet)
      .when({ _tag: "RemoveSecret", registry: "models", name: "token", at: AT })
      .then(new AutomationEvents.AutomationSecretRemoved({ name: "token", at: AT }))
    book
      .given()
      .when({ _tag: "RemoveSecret", registry: "models", name: "token", at: AT })
      .thenFails("AutomationSecretNotFound", "token")
  })
})

const queued = (deliveryId: string) =>
  new AutomationEvents.DeliveryQueued({
    deliveryId,
    automationId: "a1",
    eventType: "LINK_ARTIFACT",
    source: null,
    body: "{}",
    redeliveryOf: null,
    at: AT
  })
const record = (deliveryId: string, outcome: Deliveries.Outcome, status: number | null = 200): Deliveries.Command => ({
  _tag: "RecordAttempt",
  deliveryId,
  status,
  durationMillis: 12,
  response: "x".repeat(2000),
  error: null,
  outcome,
  at: AT
})

describe("deliveries", () => {
  it("go out in the order queued: the first unfinished holds the rest back", () => {
    const state = deliveries.given(queued("d1"), queued("d2")).when(record("d1", { _tag: "Retry", retryAt: AT }, 503))
    const after = state.then(
      new AutomationEvents.DeliveryAttempted({
        deliveryId: "d1",
        attempt: 1,
        status: 503,
        durationMillis: 12,
        responseExcerpt: "x".repeat(AutomationEvents.MAX_EXCERPT_LENGTH),
        error: null,
        retryAt: AT,
        at: AT
      })
    )
    expect(Deliveries.nextPending(after)?.deliveryId).toBe("d1")
  })
  it("keep their place when a later one finishes first: the earliest unfinished is next", () => {
    const succeeded = (id: string) => new AutomationEvents.DeliverySucceeded({ deliveryId: id, at: AT })
    const events = [queued("d1"), queued("d2"), queued("d3"), succeeded("d2")]
    let state = events.reduce(Deliveries.evolve, Deliveries.initialState)
    expect(Deliveries.nextPending(state)?.deliveryId).toBe("d1")
    expect(Deliveries.pendingCount(state)).toBe(2)
    state = Deliveries.evolve(state, succeeded("d1"))
    expect(Deliveries.nextPending(state)?.deliveryId).toBe("d3")
    state = Deliveries.evolve(Deliveries.evolve(state, succeeded("d3")), queued("d4"))
    expect(Deliveries.nextPending(state)?.deliveryId).toBe("d4")
    expect(Deliveries.pendingCount(state)).toBe(1)
  })
  it("records a success and a give-up; an attempt on a finished delivery changes nothing", () => {
    const received = deliveries.given(queued("d1")).when(record("d1", { _tag: "Received" }))
    const state = received.then(
      new AutomationEvents.DeliveryAttempted({
        deliveryId: "d1",
        attempt: 1,
        status: 200,
        durationMillis: 12,
        responseExcerpt: "x".repeat(AutomationEvents.MAX_EXCERPT_LENGTH),
        error: null,
        retryAt: null,
        at: AT
      }),
      new AutomationEvents.DeliverySucceeded({ deliveryId: "d1", at: AT })
    )
    expect(Deliveries.nextPending(state)).toBeUndefined()
    const succeeded = new AutomationEvents.DeliverySucceeded({ deliveryId: "d1", at: AT })
    deliveries
      .given(queued("d1"), succeeded)
      .when(record("d1", { _tag: "Received" }))
      .thenNothing()
  })
  it("redelivers a past delivery under a new id, naming the original; an unknown one is refused", () => {
    deliveries
      .given(queued("d1"))
      .when({
        _tag: "Redeliver",
        automation: "deploy",
        automationId: "a1",
        deliveryId: "d1",
        newDeliveryId: "d9",
        at: AT
      })
      .then(new AutomationEvents.DeliveryQueued({ ...queued("d9"), redeliveryOf: "d1" }))
    deliveries
      .given()
      .when({
        _tag: "Redeliver",
        automation: "deploy",
        automationId: "a1",
        deliveryId: "d1",
        newDeliveryId: "d9",
        at: AT
      })
      .thenFails("DeliveryNotFound", "history")
  })
  it("queues a delivery id once", () => {
    deliveries
      .given(queued("d1"))
      .when({
        _tag: "QueueDelivery",
        deliveryId: "d1",
        automationId: "a1",
        eventType: "LINK_ARTIFACT",
        source: null,
        body: "{}",
        at: AT
      })
      .thenNothing()
  })
})

describe("templates", () => {
  it("render values escaped inside JSON strings, metadata by key", () => {
    const body = Model.render(
      '{"a": "${alias}", "m": "${artifact_metadata.score}", "x": "${artifact_metadata.none}"}',
      {
        event_type: "ADD_ARTIFACT_ALIAS",
        event_author: "ada",
        entity_name: "acme",
        project_name: "wandb-registry-models",
        artifact_collection_name: "c",
        artifact_version: "v1",
        artifact_version_string: "acme/wandb-registry-models/c:v1",
        alias: 'pr"od\n',
        tag: "",
        artifactMetadata: { score: 0.9 }
      }
    )
    expect(JSON.parse(body)).toEqual({ a: 'pr"od\n', m: "0.9", x: "" })
  })
  it("the default template is valid and uses every variable", () => {
    expect(Either.isRight(Model.validateTemplate(Model.defaultTemplate))).toBe(true)
    expect(Model.variablesOf(Model.defaultTemplate)).toEqual([...Model.templateVariables])
  })
  it("refuses a template that is not JSON", () => {
    expect(Either.getLeft(Model.validateTemplate('{"a": ${alias}'))._tag).toBe("Some")
  })
})

describe("filters", () => {
  const matches = (text: string, alias: string, tag = "") =>
    builtIn.matches(Either.getOrThrow(builtIn.parse(text)), { alias, tag })
  it("select by regex, equality, lists and combinations", () => {
    expect(matches('{"alias": {"$regex": "^prod"}}', "production")).toBe(true)
    expect(matches('{"alias": {"$regex": "^prod"}}', "staging")).toBe(false)
    expect(matches('{"alias": "prod"}', "prod")).toBe(true)
    expect(matches('{"tag": {"$in": ["a", "b"]}}', "", "b")).toBe(true)
    expect(matches('{"$or": [{"alias": "x"}, {"tag": "y"}]}', "z", "y")).toBe(true)
    expect(matches('{"$not": {"alias": "x"}}', "x")).toBe(false)
  })
  it("speak the repository's filter language on alias and tag: $nor, $contains, $size", () => {
    expect(matches('{"$nor": [{"alias": "x"}, {"tag": "y"}]}', "z", "w")).toBe(true)
    expect(matches('{"alias": {"$contains": "rod"}}', "production")).toBe(true)
    expect(matches('{"tag": {"$size": 1}}', "", "golden")).toBe(true)
    expect(matches('{"tag": {"$size": 1}}', "production")).toBe(false)
    expect(matches('{"alias": {"$in": ["x"]}}', "")).toBe(false)
  })
  it("refuse bad regular expressions, backtracking-prone ones, unknown operators and other fields when parsed", () => {
    const reason = (text: string) =>
      Either.match(builtIn.parse(text), { onLeft: (error) => error.message, onRight: () => "accepted" })
    expect(reason('{"alias": {"$regex": "("}}')).toContain("refused")
    expect(reason('{"alias": {"$regex": "(a+)+$"}}')).toContain("refused")
    expect(reason('{"alias": {"$like": "a"}}')).toContain("$regex")
    expect(reason('{"metadata.owner": "me"}')).toContain('not "metadata"')
    expect(reason("{}")).toContain("empty")
    expect(reason('{"alias": ')).toContain("refused")
  })
})

describe("triggers", () => {
  const context: Triggers.TriggerContext = { tagsBefore: () => ["a"], collectionsLinking: () => ["c1", "c2"] }
  it("come from links, alias moves, new source versions and tag changes", () => {
    const fields = { organization: "acme", registry: "models", collectionId: "c1" }
    expect(
      Triggers.triggersOf(new Collection.AliasAssigned({ ...fields, alias: "prod", index: 2, movedFrom: 1 }), context)
    ).toEqual([{ eventType: "ADD_ARTIFACT_ALIAS", collectionId: "c1", index: 2, source: null, alias: "prod", tag: "" }])
    const updated = new Registry.CollectionUpdated({
      organization: "acme",
      registry: "models",
      collectionId: "c1",
      description: "",
      tags: ["b"]
    })
    expect(Triggers.triggersOf(updated, context).map((t) => [t.eventType, t.tag])).toEqual([
      ["ADD_COLLECTION_TAG", "b"],
      ["REMOVE_COLLECTION_TAG", "a"]
    ])
  })
  it("fire an automation in scope, of the event type, passing the filter, when enabled", () => {
    const automation = Book.evolve(Book.initialState, created).automations.get("a1")!
    const trigger: Triggers.Trigger = {
      eventType: "ADD_ARTIFACT_ALIAS",
      collectionId: "c1",
      index: 0,
      source: null,
      alias: "prod",
      tag: ""
    }
    const mine = (id: string) => id === "c1"
    expect(Triggers.fires(automation, trigger, mine)).toBe(true)
    expect(Triggers.fires(automation, { ...trigger, collectionId: "other" }, mine)).toBe(false)
    expect(Triggers.fires(automation, { ...trigger, eventType: "LINK_ARTIFACT" }, mine)).toBe(false)
    expect(Triggers.fires({ ...automation, filter: '{"alias": {"$regex": "^stag"}}' }, trigger, mine)).toBe(false)
    expect(Triggers.fires({ ...automation, enabled: false }, trigger, mine)).toBe(false)
    expect(
      Triggers.fires(
        { ...automation, scope: { kind: "collection", collectionId: "c2", collection: "x" } },
        trigger,
        mine
      )
    ).toBe(false)
  })
})

describe("retries", () => {
  const policy = { ...Attempt.defaultRetryPolicy, maxAttempts: 3, baseDelayMillis: 100 }
  const answer = (status: number, retryAfterMillis: number | null = null) =>
    Either.right({ status, retryAfterMillis, excerpt: "" })
  it("retry 5xx, 429, timeouts and connection errors; give up other 4xx at once, and after the last attempt", () => {
    expect(Attempt.classify(policy, 1, answer(204), 0, 0.5)._tag).toBe("Received")
    expect(Attempt.classify(policy, 1, answer(500), 0, 0.5)._tag).toBe("Retry")
    expect(Attempt.classify(policy, 1, answer(429), 0, 0.5)._tag).toBe("Retry")
    expect(
      Attempt.classify(policy, 1, Either.left(new WebhookFailed({ kind: "timeout", detail: "" })), 0, 0.5)._tag
    ).toBe("Retry")
    expect(Attempt.classify(policy, 1, answer(400), 0, 0.5)._tag).toBe("GiveUp")
    expect(
      Attempt.classify(policy, 1, Either.left(new WebhookFailed({ kind: "not_allowed", detail: "" })), 0, 0.5)._tag
    ).toBe("GiveUp")
    expect(Attempt.classify(policy, 3, answer(500), 0, 0.5)._tag).toBe("GiveUp")
  })
  it("wait with full jitter under a doubling ceiling, never less than Retry-After", () => {
    expect(Attempt.backoffMillis(policy, 1, 1, null)).toBe(100)
    expect(Attempt.backoffMillis(policy, 3, 1, null)).toBe(400)
    expect(Attempt.backoffMillis(policy, 3, 0, null)).toBe(0)
    expect(Attempt.backoffMillis(policy, 1, 0, 5000)).toBe(5000)
  })
})

describe("signatures", () => {
  it("are HMAC-SHA256 over id, timestamp and body (Registrar) and over the body (W&B)", () => {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    expect(Triggers.hmacHex("Jefe", "what do ya want for nothing?")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
    const headers = Triggers.signatureHeaders("s3cret", "d1", 1700000000, "{}")
    expect(headers["X-Registrar-Signature"]).toBe(`v1=${Triggers.hmacHex("s3cret", "d1.1700000000.{}")}`)
    expect(headers["X-Wandb-Signature"]).toBe(Triggers.hmacHex("s3cret", "{}"))
  })
})
