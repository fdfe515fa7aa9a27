/**
 * Automations end to end in one process (memory stores, the dispatcher, a real receiver on 127.0.0.1): links and
 * alias moves fire the right automations with the right payloads and valid signatures; scopes and filters select
 * exactly; a receiver that is down gets everything, in order, once it is up; 500s and timeouts are retried, a 400 is
 * given up at once and can be redelivered; secrets never show; hosts off the allow-list are refused.
 */
import { describe, expect, it } from "@effect/vitest"
import type { CreateAutomation, Registrar } from "@registrar/domain"
import { fakeSha256 } from "@registrar/domain/testing"
import { Duration, Effect } from "effect"
import { WebhookTransport } from "../src/index.js"
import {
  deliveriesOf,
  inProcess,
  inProcessSlowRecords,
  readUntil,
  signaturesValid,
  waitFor,
  world
} from "./support/AutomationWorld.js"
import { startReceiver } from "./support/Receiver.js"

const SIGNING = "whsec-test-signing-secret"

const scenario = <A, E>(effect: Effect.Effect<A, E, Registrar | import("effect").Scope.Scope>) =>
  Effect.scoped(Effect.provide(effect, inProcess))

describe("automations in one process", () => {
  it.live("links and alias moves fire the automations in scope, through their filters, with signed payloads", () =>
    scenario(
      Effect.gen(function* () {
        const receiver = yield* startReceiver
        const { registrar, org, admin, member, registry, linkNew, target } = yield* world
        yield* registrar.setAutomationSecret({
          actor: admin,
          organization: org,
          registry,
          name: "signing",
          value: SIGNING
        })
        const links = yield* registrar.createAutomation({
          actor: admin,
          organization: org,
          registry,
          name: "links",
          eventTypes: ["LINK_ARTIFACT"],
          action: {
            kind: "webhook",
            url: receiver.url,
            signingSecret: "signing",
            payloadTemplate:
              '{"type": "${event_type}", "who": "${event_author}", "version": "${artifact_version_string}", "collection": "${artifact_collection_name}", "entity": "${entity_name}", "project": "${project_name}", "score": "${artifact_metadata.score}"}'
          }
        })
        const production = yield* registrar.createAutomation({
          actor: admin,
          organization: org,
          registry,
          name: "production-in-A",
          collection: "A",
          eventTypes: ["ADD_ARTIFACT_ALIAS"],
          filter: '{"alias": {"$regex": "^prod"}}',
          action: {
            kind: "webhook",
            url: receiver.url,
            payloadTemplate: '{"alias": "${alias}", "v": "${artifact_version}"}'
          }
        })
        const onlyB = yield* registrar.createAutomation({
          actor: admin,
          organization: org,
          registry,
          name: "links-in-B",
          collection: "B",
          eventTypes: ["LINK_ARTIFACT"],
          action: { kind: "webhook", url: receiver.url, payloadTemplate: '{"v": "${artifact_version_string}"}' }
        })
        // A member cannot manage automations: that needs the registry's admin role.
        const refused = yield* Effect.flip(registrar.listAutomations({ actor: member, organization: org, registry }))
        expect(refused._tag).toBe("InsufficientRole")

        yield* linkNew("A", { score: 0.93 })
        yield* linkNew("B")
        yield* registrar.addAlias({ actor: member, name: `${target("A")}:v1`, alias: "production" })
        yield* registrar.addAlias({ actor: member, name: `${target("A")}:v0`, alias: "staging" })

        yield* waitFor(
          "the four deliveries",
          () =>
            deliveriesOf(receiver.received, links.automationId).length >= 2 &&
            deliveriesOf(receiver.received, production.automationId).length >= 1 &&
            deliveriesOf(receiver.received, onlyB.automationId).length >= 1
        )
        // Anything more (a staging alias, a link outside a scope) would have arrived by now.
        yield* Effect.sleep(Duration.millis(300))
        const linked = deliveriesOf(receiver.received, links.automationId)
        expect(linked.map((request) => JSON.parse(request.body))).toEqual([
          {
            type: "LINK_ARTIFACT",
            who: member,
            version: `${org}/wandb-registry-Golden Datasets/A:v1`,
            collection: "A",
            entity: org,
            project: "wandb-registry-Golden Datasets",
            score: "0.93"
          },
          {
            type: "LINK_ARTIFACT",
            who: member,
            version: `${org}/wandb-registry-Golden Datasets/B:v1`,
            collection: "B",
            entity: org,
            project: "wandb-registry-Golden Datasets",
            score: ""
          }
        ])
        expect(linked.every((request) => signaturesValid(request, SIGNING))).toBe(true)
        expect(linked.every((request) => !signaturesValid(request, "another secret"))).toBe(true)
        expect(
          deliveriesOf(receiver.received, production.automationId).map((request) => JSON.parse(request.body))
        ).toEqual([{ alias: "production", v: "v1" }])
        expect(deliveriesOf(receiver.received, onlyB.automationId).map((request) => JSON.parse(request.body))).toEqual([
          { v: `${org}/wandb-registry-Golden Datasets/B:v1` }
        ])
        // Unsigned automations carry no signature; every request has its delivery id, event type and timestamp.
        const unsigned = deliveriesOf(receiver.received, onlyB.automationId)[0]!
        expect(unsigned.headers["x-registrar-signature"]).toBeUndefined()
        expect(unsigned.headers["x-registrar-event"]).toBe("LINK_ARTIFACT")
        expect(Number(unsigned.headers["x-registrar-timestamp"])).toBeGreaterThan(1_700_000_000)

        const history = yield* readUntil(
          registrar.automationHistory({ actor: admin, organization: org, registry, automation: "links" }),
          (deliveries) => deliveries.every((delivery) => delivery.status !== "pending")
        )
        expect(history.map((delivery) => [delivery.status, delivery.attempts.map((a) => a.status)])).toEqual([
          ["succeeded", [200]],
          ["succeeded", [200]]
        ])
        // The secret's value is in no answer, and in no history row.
        const everything = JSON.stringify([
          yield* registrar.listAutomationSecrets({ actor: admin, organization: org, registry }),
          yield* registrar.listAutomations({ actor: admin, organization: org, registry }),
          history,
          yield* registrar.history({ actor: admin })
        ])
        expect(everything).not.toContain(SIGNING)
        expect(everything).toContain("signing")
      })
    )
  )

  it.live("new source versions of linked artifacts and collection tag changes fire their automations", () =>
    scenario(
      Effect.gen(function* () {
        const receiver = yield* startReceiver
        const { registrar, org, admin, member, team, registry, target } = yield* world
        const created = yield* registrar.createAutomation({
          actor: admin,
          organization: org,
          registry,
          name: "new-versions",
          collection: "A",
          eventTypes: ["CREATE_ARTIFACT"],
          action: {
            kind: "webhook",
            url: receiver.url,
            payloadTemplate: '{"t": "${event_type}", "v": "${artifact_version_string}"}'
          }
        })
        const tags = yield* registrar.createAutomation({
          actor: admin,
          organization: org,
          registry,
          name: "tags",
          eventTypes: ["ADD_COLLECTION_TAG", "REMOVE_COLLECTION_TAG"],
          filter: '{"tag": {"$in": ["golden", "stale"]}}',
          action: {
            kind: "webhook",
            url: receiver.url,
            payloadTemplate: '{"t": "${event_type}", "tag": "${tag}", "c": "${artifact_collection_name}"}'
          }
        })
        // art-A has a version linked in A: its next version fires; art-B's (linked in B only) does not.
        for (const name of ["art-A", "art-B"]) {
          yield* registrar.logArtifact({
            actor: member,
            entity: team,
            project: "images",
            name,
            type: "dataset",
            files: [{ path: "x", sha256: fakeSha256(`${name}-new`), size: 1 }]
          })
        }
        yield* registrar.updateCollection({ actor: member, collection: target("B"), tags: ["golden", "other"] })
        yield* registrar.updateCollection({ actor: member, collection: target("B"), tags: ["other"] })
        yield* waitFor("the tag deliveries", () => deliveriesOf(receiver.received, tags.automationId).length >= 2)
        yield* waitFor("the new version", () => deliveriesOf(receiver.received, created.automationId).length >= 1)
        yield* Effect.sleep(Duration.millis(300))
        expect(deliveriesOf(receiver.received, created.automationId).map((r) => JSON.parse(r.body))).toEqual([
          { t: "CREATE_ARTIFACT", v: `${team}/images/art-A:v1` }
        ])
        expect(deliveriesOf(receiver.received, tags.automationId).map((r) => JSON.parse(r.body))).toEqual([
          { t: "ADD_COLLECTION_TAG", tag: "golden", c: "B" },
          { t: "REMOVE_COLLECTION_TAG", tag: "golden", c: "B" }
        ])
      })
    )
  )

  it.live("a receiver down for a while gets every delivery once it is up, in log order", () =>
    scenario(
      Effect.gen(function* () {
        const receiver = yield* startReceiver
        const { registrar, org, admin, registry, linkNew } = yield* world
        const automation = yield* registrar.createAutomation({
          actor: admin,
          organization: org,
          registry,
          name: "ordered",
          eventTypes: ["LINK_ARTIFACT"],
          action: { kind: "webhook", url: receiver.url, payloadTemplate: '{"v": "${artifact_version}"}' }
        })
        yield* receiver.stop
        for (let i = 0; i < 5; i++) yield* linkNew("A")
        yield* Effect.sleep(Duration.millis(150))
        yield* receiver.start
        yield* waitFor("five deliveries", () => deliveriesOf(receiver.received, automation.automationId).length >= 5)
        expect(
          deliveriesOf(receiver.received, automation.automationId).map((request) => JSON.parse(request.body).v)
        ).toEqual(["v1", "v2", "v3", "v4", "v5"])
        const history = yield* readUntil(
          registrar.automationHistory({ actor: admin, organization: org, registry, automation: "ordered" }),
          (deliveries) => deliveries.every((delivery) => delivery.status === "succeeded")
        )
        // The first delivery was attempted while the receiver was down: a connection error, then received.
        const first = history.at(-1)!
        expect(first.status).toBe("succeeded")
        expect(first.attempts[0]!.status).toBeNull()
        expect(first.attempts.at(-1)!.status).toBe(200)
      })
    )
  )

  it.live(
    "a run of deliveries goes out one at a time in log order, a retry holding the rest back; each attempt is recorded once",
    () =>
      Effect.scoped(
        Effect.provide(
          Effect.gen(function* () {
            // Recording an attempt takes 25 ms here, so the attempts made meanwhile are recorded together.
            const receiver = yield* startReceiver
            const { registrar, org, admin, registry, linkNew } = yield* world
            const automation = yield* registrar.createAutomation({
              actor: admin,
              organization: org,
              registry,
              name: "burst",
              collection: "A",
              eventTypes: ["LINK_ARTIFACT"],
              action: { kind: "webhook", url: receiver.url, payloadTemplate: '{"v": "${artifact_version}"}' }
            })
            let refused = false
            receiver.answer = (request) => {
              // The first answer is slow, so the rest queue up and go out in a run (their attempts recorded in batches).
              if (JSON.parse(request.body).v === "v1") return { status: 200, delayMillis: 300 }
              if (JSON.parse(request.body).v !== "v7" || refused) return { status: 200 }
              refused = true
              return { status: 503 }
            }
            const count = 40
            for (let i = 0; i < count; i++) yield* linkNew("A")
            const expected = Array.from({ length: count }, (_, i) => `v${i + 1}`)
            yield* waitFor(
              "every delivery",
              () => deliveriesOf(receiver.received, automation.automationId).length >= count
            )
            // Every request in arrival order: v7 twice (refused, then received), nothing sent twice otherwise, and
            // nothing after v7 before its second attempt; one request in flight at a time.
            const sent = receiver.received
              .filter((request) => request.headers["x-registrar-automation"] === automation.automationId)
              .map((request) => JSON.parse(request.body).v)
            expect(sent).toEqual([...expected.slice(0, 7), "v7", ...expected.slice(7)])
            expect(receiver.maxInFlightPerAutomation()).toBe(1)
            // Attempts are recorded in batches behind the sending: none lost, none recorded twice.
            const history = yield* readUntil(
              registrar.automationHistory({ actor: admin, organization: org, registry, automation: "burst" }),
              (deliveries) =>
                deliveries.length === count && deliveries.every((delivery) => delivery.status === "succeeded")
            )
            expect(history.map((delivery) => JSON.parse(delivery.body).v)).toEqual([...expected].reverse())
            for (const delivery of history) {
              const statuses = delivery.attempts.map((recorded) => recorded.status)
              expect([JSON.parse(delivery.body).v, statuses]).toEqual([
                JSON.parse(delivery.body).v,
                JSON.parse(delivery.body).v === "v7" ? [503, 200] : [200]
              ])
              expect(delivery.attempts.map((recorded) => recorded.attempt)).toEqual(statuses.map((_, i) => i + 1))
            }
          }),
          inProcessSlowRecords
        )
      )
  )

  it.live(
    "500s and timeouts are retried; a 400 is given up at once, shown in history, and redelivered on request",
    () =>
      scenario(
        Effect.gen(function* () {
          const receiver = yield* startReceiver
          const { registrar, org, admin, registry, linkNew } = yield* world
          const flaky = yield* registrar.createAutomation({
            actor: admin,
            organization: org,
            registry,
            name: "flaky",
            collection: "A",
            eventTypes: ["LINK_ARTIFACT"],
            action: { kind: "webhook", url: `${receiver.url}?flaky`, payloadTemplate: "{}" }
          })
          const strict = yield* registrar.createAutomation({
            actor: admin,
            organization: org,
            registry,
            name: "strict",
            collection: "B",
            eventTypes: ["LINK_ARTIFACT"],
            action: { kind: "webhook", url: `${receiver.url}?strict`, payloadTemplate: "{}" }
          })
          let flakyCount = 0
          let strictRefuses = true
          receiver.answer = (request) => {
            if (request.headers["x-registrar-automation"] === strict.automationId)
              return { status: strictRefuses ? 400 : 202 }
            flakyCount += 1
            if (flakyCount <= 2) return { status: 500 }
            if (flakyCount === 3) return { status: 503, headers: { "Retry-After": "0" } }
            if (flakyCount === 4) return { status: 200, delayMillis: 2500 }
            return { status: 200 }
          }
          yield* linkNew("A")
          yield* linkNew("B")
          const history = (automation: string) =>
            registrar.automationHistory({ actor: admin, organization: org, registry, automation })
          yield* waitFor("the flaky delivery", () => flakyCount >= 5)
          const [flakyDelivery] = yield* readUntil(history("flaky"), ([delivery]) => delivery?.status !== "pending")
          expect(flakyDelivery!.status).toBe("succeeded")
          expect(flakyDelivery!.attempts.map((attempt) => attempt.status)).toEqual([500, 500, 503, null, 200])
          expect(flakyDelivery!.attempts[3]!.error).toContain("timeout")
          // Every attempt carried the same delivery id.
          const flakyIds = new Set(
            receiver.received
              .filter((r) => r.headers["x-registrar-automation"] === flaky.automationId)
              .map((r) => r.headers["x-registrar-delivery"])
          )
          expect(flakyIds.size).toBe(1)

          const [given] = yield* readUntil(history("strict"), ([delivery]) => delivery?.status === "given_up")
          expect(given!.status).toBe("given_up")
          expect(given!.attempts.map((attempt) => attempt.status)).toEqual([400])
          expect(given!.reason).toContain("400")

          strictRefuses = false
          const again = yield* registrar.redeliver({
            actor: admin,
            organization: org,
            registry,
            automation: "strict",
            delivery: given!.deliveryId
          })
          yield* waitFor("the redelivery", () =>
            receiver.received.some((r) => r.headers["x-registrar-delivery"] === again.deliveryId)
          )
          const [redelivered] = yield* readUntil(history("strict"), ([delivery]) => delivery?.status === "succeeded")
          expect(redelivered).toMatchObject({
            deliveryId: again.deliveryId,
            redeliveryOf: given!.deliveryId,
            status: "succeeded"
          })
        })
      )
  )

  it.live("a test delivery goes out like any other; a no-op automation records its deliveries", () =>
    scenario(
      Effect.gen(function* () {
        const receiver = yield* startReceiver
        const { registrar, org, admin, registry, linkNew } = yield* world
        yield* registrar.createAutomation({
          actor: admin,
          organization: org,
          registry,
          name: "hook",
          eventTypes: ["LINK_ARTIFACT"],
          action: { kind: "webhook", url: receiver.url }
        })
        yield* registrar.createAutomation({
          actor: admin,
          organization: org,
          registry,
          name: "noop",
          eventTypes: ["LINK_ARTIFACT"]
        })
        const test = yield* registrar.testAutomation({ actor: admin, organization: org, registry, automation: "hook" })
        yield* waitFor("the test delivery", () => receiver.received.length >= 1)
        expect(receiver.received[0]!.headers["x-registrar-delivery"]).toBe(test.deliveryId)
        expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ event_type: "TEST", alias: "production" })
        yield* linkNew("A")
        const noop = () =>
          registrar.automationHistory({ actor: admin, organization: org, registry, automation: "noop" })
        expect(
          (yield* readUntil(noop(), (deliveries) => deliveries[0]?.status === "succeeded")).map((delivery) => [
            delivery.eventType,
            delivery.status
          ])
        ).toEqual([["LINK_ARTIFACT", "succeeded"]])
      })
    )
  )

  it.effect("saving refuses unknown variables, bad URLs and filters with typed errors", () =>
    scenario(
      Effect.gen(function* () {
        const { registrar, org, admin, registry } = yield* world
        const create = (fields: Partial<CreateAutomation>) =>
          Effect.flip(
            registrar.createAutomation({
              actor: admin,
              organization: org,
              registry,
              name: "x",
              eventTypes: ["LINK_ARTIFACT"],
              ...fields
            })
          )
        expect(
          (yield* create({
            action: { kind: "webhook", url: "http://h.example/", payloadTemplate: '{"a": "${nope}"}' }
          }))._tag
        ).toBe("UnknownTemplateVariable")
        expect((yield* create({ action: { kind: "webhook", url: "ftp://h.example/" } }))._tag).toBe("InvalidWebhookUrl")
        expect((yield* create({ filter: "{" }))._tag).toBe("InvalidTriggerFilter")
        expect((yield* create({ collection: "missing" }))._tag).toBe("CollectionNotFound")
      })
    )
  )
})

describe("the webhook allow-list", () => {
  it("refuses private and loopback addresses unless the host is listed", () => {
    for (const address of [
      "127.0.0.1",
      "10.1.2.3",
      "192.168.0.1",
      "172.16.5.5",
      "169.254.169.254",
      "::1",
      "fd00::1",
      "0.0.0.0",
      // Loopback and private addresses however IPv6 spells them: mapped (as the URL parser writes
      // [::ffff:127.0.0.1]), uncompressed, IPv4-compatible, and through NAT64's prefix.
      "::ffff:7f00:1",
      "::ffff:a00:1",
      "0:0:0:0:0:0:0:1",
      "::7f00:1",
      "64:ff9b::a9fe:a9fe",
      "100.64.0.1",
      "fe80::1",
      "not an address"
    ]) {
      expect(WebhookTransport.isPrivateAddress(address), address).toBe(true)
    }
    for (const address of ["8.8.8.8", "93.184.216.34", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"])
      expect(WebhookTransport.isPrivateAddress(address), address).toBe(false)
  })
  it.effect("names the allow-list when it refuses a host, and passes a listed one", () =>
    Effect.gen(function* () {
      const refused = yield* Effect.flip(WebhookTransport.checkHost({ hosts: [] }, "http://127.0.0.1:9/hook"))
      expect(refused.kind).toBe("not_allowed")
      expect(refused.message).toContain("allow-list")
      yield* WebhookTransport.checkHost({ hosts: ["127.0.0.1"] }, "http://127.0.0.1:9/hook")
      // The URL parser writes [::ffff:127.0.0.1] as [::ffff:7f00:1]: still the loopback address.
      const mapped = yield* Effect.flip(WebhookTransport.checkHost({ hosts: [] }, "http://[::ffff:127.0.0.1]:9/hook"))
      expect(mapped.kind).toBe("not_allowed")
    })
  )
  it.scopedLive("connects to the addresses it checked, not to what the name resolves to afterwards", () =>
    Effect.gen(function* () {
      const receiver = yield* startReceiver
      const port = new URL(receiver.url).port
      // DNS rebinding: the name was public when checked (the injected resolver) and is loopback for the system's
      // resolver now (localhost, where the receiver listens). The request goes to the checked address (unreachable
      // here, so it fails) and never reaches the receiver.
      const transport = WebhookTransport.make({ hosts: [], resolve: async () => ["203.0.114.200"] })
      yield* Effect.flip(
        transport.send({
          url: `http://localhost:${port}/hook`,
          body: "{}",
          headers: { "content-type": "application/json" },
          timeoutMillis: 500
        })
      )
      expect(receiver.received).toEqual([])
    })
  )
})
