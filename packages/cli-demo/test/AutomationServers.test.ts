/**
 * Automations delivered by real `registrar serve` processes over one PostgreSQL schema, to a receiver on 127.0.0.1
 * started by the test: a server killed with SIGKILL in the middle of delivering and started again skips nothing
 * (a delivery sent twice keeps its id); three servers deliver every event once per automation, never two requests of
 * one automation at once, in log order. The automations are managed with the remote command line.
 */
import { createHmac, randomBytes } from "node:crypto"
import * as fs from "node:fs/promises"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, expect, it } from "vitest"
import {
  databaseUrl,
  describeServer,
  dispose,
  finished,
  ok,
  type Serving,
  serve as serveOn,
  type Store,
  unique,
  stop
} from "./support/Cli.js"

const SIGNING = "signing-secret-for-the-test"

interface Received {
  readonly automation: string
  readonly delivery: string
  readonly body: { readonly v: string }
  readonly signed: boolean
}

/** A receiver that answers after `delayMillis`, recording every request and the most in flight per automation. */
const receiver = async (delayMillis: number) => {
  const received: Array<Received> = []
  const inFlight = new Map<string, number>()
  let maxInFlight = 0
  const server: Server = createServer((request, response) => {
    let text = ""
    request.on("data", (chunk) => {
      text += chunk
    })
    request.on("end", () => {
      const automation = String(request.headers["x-registrar-automation"])
      const delivery = String(request.headers["x-registrar-delivery"])
      const timestamp = String(request.headers["x-registrar-timestamp"])
      const expected = createHmac("sha256", SIGNING).update(`${delivery}.${timestamp}.${text}`).digest("hex")
      received.push({
        automation,
        delivery,
        body: JSON.parse(text),
        signed: request.headers["x-registrar-signature"] === `v1=${expected}`
      })
      const now = (inFlight.get(automation) ?? 0) + 1
      inFlight.set(automation, now)
      maxInFlight = Math.max(maxInFlight, now)
      setTimeout(() => {
        inFlight.set(automation, (inFlight.get(automation) ?? 1) - 1)
        if (!response.destroyed) response.end("ok")
      }, delayMillis)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

const waitFor = async (what: string, condition: () => boolean, seconds = 60) => {
  const deadline = Date.now() + seconds * 1000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const call = async (url: string, key: string, method: string, route: string, body?: unknown) => {
  const response = await fetch(`${url}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await response.text()
  if (response.status >= 300) throw new Error(`${method} ${route}: ${response.status} ${text}`)
  return (text === "" ? null : JSON.parse(text)) as Record<string, unknown>
}

/** The first request of each delivery, per automation, in arrival order. */
const firstCopies = (received: ReadonlyArray<Received>, automation: string) => {
  const seen = new Set<string>()
  return received.filter((entry) => {
    if (entry.automation !== automation || seen.has(entry.delivery)) return false
    seen.add(entry.delivery)
    return true
  })
}

describeServer("automations delivered by serve processes", () => {
  const adminKey = `rk_${randomBytes(4).toString("hex")}_${randomBytes(32).toString("hex")}`
  let store: Store
  const running: Array<Serving> = []

  beforeAll(async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "registrar-automations-"))
    store = {
      name: "PostgreSQL server",
      dataDir,
      env: {
        DATABASE_URL: databaseUrl ?? "",
        REGISTRAR_SCHEMA: `cli_${unique("auto").replace(/[^a-z0-9]/g, "_")}`,
        REGISTRAR_DATA_DIR: dataDir,
        REGISTRAR_BOOTSTRAP_KEY: adminKey,
        REGISTRAR_SECRETS_KEY: "secrets-key-of-the-automation-tests-0123456789",
        REGISTRAR_WEBHOOK_ALLOW_HOSTS: "127.0.0.1",
        REGISTRAR_AUTOMATION_LEASE_MS: "1500",
        REGISTRAR_AUTOMATION_POLL_MS: "50",
        REGISTRAR_AUTOMATION_RETRY_BASE_MS: "20",
        REGISTRAR_AUTOMATION_RETRY_MAX_MS: "200",
        REGISTRAR_AUTOMATION_MAX_ATTEMPTS: "100"
      }
    }
  }, 60_000)

  afterAll(async () => {
    for (const server of running) await stop(server.child)
    if (store !== undefined) await dispose(store)
  }, 60_000)

  const start = async () => {
    const server = await serveOn(store, ["--database-url", databaseUrl ?? ""])
    running.push(server)
    return server
  }

  /** An organization with a registry, a source artifact, and `automations` signed automations on LINK_ARTIFACT. */
  const world = async (url: string, webhook: string, automations: number) => {
    const org = unique("org")
    const team = unique("team")
    await call(url, adminKey, "POST", "/organizations", { organization: org, displayName: org })
    await call(url, adminKey, "POST", "/teams", { team, organization: org })
    await call(url, adminKey, "POST", `/organizations/${org}/registries`, { registry: "Models" })
    const remote = { ...store, env: { REGISTRAR_SERVER: url, REGISTRAR_API_KEY: adminKey } }
    await call(url, adminKey, "PUT", `/organizations/${org}/registries/Models/automation-secrets/signing`, {
      value: SIGNING
    })
    const ids: Array<string> = []
    for (let index = 0; index < automations; index++) {
      const created = JSON.parse(
        await ok(
          remote,
          "automation",
          "create",
          `hook-${index}`,
          "--registry",
          `${org}/wandb-registry-Models`,
          "--event",
          "LINK_ARTIFACT",
          "--url",
          webhook,
          "--signing-secret",
          "signing",
          "--template",
          '{"v": "${artifact_version}"}',
          "--json"
        )
      ) as { automationId: string }
      ids.push(created.automationId)
    }
    const link = async (through: string, index: number) => {
      // The server logs a version only when it holds the files the manifest names: upload the bytes first.
      const uploaded = await fetch(`${through}/blobs`, {
        method: "POST",
        headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/octet-stream" },
        body: randomBytes(index + 1)
      })
      if (uploaded.status !== 201) throw new Error(`POST /blobs: ${uploaded.status} ${await uploaded.text()}`)
      const blob = (await uploaded.json()) as { sha256: string; size: number }
      const logged = await call(through, adminKey, "POST", `/entities/${team}/projects/p/artifacts/weights/versions`, {
        type: "model",
        files: [{ path: "w.bin", sha256: blob.sha256, size: blob.size }]
      })
      return call(through, adminKey, "POST", `/organizations/${org}/registries/Models/collections/weights/links`, {
        source: logged.reference
      })
    }
    return { org, ids, link, remote }
  }

  it("a server killed mid-delivery and started again skips nothing; a delivery sent twice keeps its id", async () => {
    const hook = await receiver(150)
    try {
      const first = await start()
      const { ids, link, org, remote } = await world(first.url, hook.url, 1)
      const automation = ids[0] ?? ""
      const N = 12
      for (let index = 0; index < N; index++) await link(first.url, index)
      // Kill it in the middle: some deliveries were received, some not yet.
      await waitFor("the first deliveries", () => hook.received.length >= 3)
      const killed = finished(first.child)
      first.child.kill("SIGKILL")
      await killed
      expect(firstCopies(hook.received, automation).length).toBeLessThan(N)
      const second = await start()
      await waitFor("every delivery", () => firstCopies(hook.received, automation).length >= N, 90)
      const copies = firstCopies(hook.received, automation)
      expect(copies.map((entry) => entry.body.v)).toStrictEqual(Array.from({ length: N }, (_, index) => `v${index}`))
      // A request sent again (the kill came between sending and recording) carries the same delivery id.
      const idsOfVersion = new Map<string, Set<string>>()
      for (const entry of hook.received.filter((entry) => entry.automation === automation)) {
        idsOfVersion.set(entry.body.v, (idsOfVersion.get(entry.body.v) ?? new Set()).add(entry.delivery))
      }
      expect([...idsOfVersion.values()].every((set) => set.size === 1)).toBe(true)
      expect(hook.received.every((entry) => entry.signed)).toBe(true)
      // The remote command line shows the history: every delivery received.
      const history = JSON.parse(
        await ok(
          { ...remote, env: { ...remote.env, REGISTRAR_SERVER: second.url } },
          "automation",
          "history",
          "hook-0",
          "--registry",
          `${org}/wandb-registry-Models`,
          "--json"
        )
      ) as ReadonlyArray<{ status: string }>
      expect(history.length).toBe(N)
      expect(history.every((delivery) => delivery.status === "succeeded")).toBe(true)
    } finally {
      await hook.close()
    }
  }, 240_000)

  it("three servers deliver every event once per automation, never two at once, in log order", async () => {
    const hook = await receiver(20)
    try {
      while (running.filter((server) => server.child.exitCode === null && !server.child.killed).length < 3)
        await start()
      const servers = running.filter((server) => server.child.exitCode === null && !server.child.killed).slice(0, 3)
      const { ids, link } = await world(servers[0]?.url ?? "", hook.url, 4)
      const N = 30
      const linked = await Promise.all(
        Array.from({ length: N }, (_, index) => link(servers[index % 3]?.url ?? "", index))
      )
      expect(linked.map((result) => Number(result.version)).sort((a, b) => a - b)).toStrictEqual(
        Array.from({ length: N }, (_, index) => index)
      )
      for (const automation of ids) {
        await waitFor(`automation ${automation}`, () => firstCopies(hook.received, automation).length >= N, 90)
        expect(firstCopies(hook.received, automation).map((entry) => entry.body.v)).toStrictEqual(
          Array.from({ length: N }, (_, index) => `v${index}`)
        )
      }
      // Each event has one delivery id per automation (a copy sent again, after a lease expired under load, keeps
      // it), and one automation's requests never overlapped: one process delivers for it at a time.
      for (const automation of ids) {
        const idsOfVersion = new Map<string, Set<string>>()
        for (const entry of hook.received.filter((entry) => entry.automation === automation)) {
          idsOfVersion.set(entry.body.v, (idsOfVersion.get(entry.body.v) ?? new Set()).add(entry.delivery))
        }
        expect([...idsOfVersion.values()].map((set) => set.size)).toStrictEqual(Array.from({ length: N }, () => 1))
      }
      expect(hook.maxInFlight()).toBe(1)
    } finally {
      await hook.close()
    }
  }, 240_000)
})
