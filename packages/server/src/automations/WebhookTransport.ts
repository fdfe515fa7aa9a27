/**
 * Sending webhooks from the server with Node's `http` and `https`: a timeout per request, no redirects followed, the answer's
 * status, `Retry-After` and the first bytes of its body; and the allow-list of webhook hosts, checked against the
 * URL's host and every address it resolves to, so an automation cannot make the server call internal addresses.
 */
import { lookup } from "node:dns/promises"
import { BlockList, isIP, type LookupFunction, SocketAddress } from "node:net"
import { Agent as HttpAgent, request as httpRequest } from "node:http"
import { Agent as HttpsAgent, request as httpsRequest } from "node:https"
import {
  WebhookFailed,
  type WebhookRequest,
  type WebhookResponse,
  WebhookTransport,
  type WebhookTransportShape
} from "@registrar/domain"
import { Effect, Layer } from "effect"

/** Which webhook hosts the server calls. */
export interface AllowList {
  /**
   * Hosts (names or IP addresses) always allowed, even on private or loopback addresses; `*` allows every host.
   * Default: none, so only hosts whose every address is public are called.
   */
  readonly hosts: ReadonlyArray<string>
  /** How a host name is resolved to the addresses checked (default: the system's resolver, every address). */
  readonly resolve?: (host: string) => Promise<ReadonlyArray<string>>
}

const systemResolve = (host: string): Promise<ReadonlyArray<string>> =>
  lookup(host, { all: true }).then((found) => found.map((entry) => entry.address))

/**
 * Every address that is not public: unspecified, loopback, private, shared, link-local, documentation, benchmarking,
 * multicast and reserved IPv4; and for IPv6 the same kinds, with the IPv4-compatible block (`::a.b.c.d`). Node's
 * `BlockList` compares addresses, not their spellings: an IPv4-mapped address (`::ffff:7f00:1`, as the URL parser
 * writes `[::ffff:127.0.0.1]`) and an uncompressed one (`0:0:0:0:0:0:0:1`) match the rules of what they are.
 */
const notPublic = (() => {
  const list = new BlockList()
  for (const [network, prefix] of [
    ["0.0.0.0", 8],
    ["10.0.0.0", 8],
    ["100.64.0.0", 10],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["172.16.0.0", 12],
    ["192.0.0.0", 24],
    ["192.0.2.0", 24],
    ["192.168.0.0", 16],
    ["198.18.0.0", 15],
    ["198.51.100.0", 24],
    ["203.0.113.0", 24],
    ["224.0.0.0", 3]
  ] as const) {
    list.addSubnet(network, prefix, "ipv4")
  }
  for (const [network, prefix] of [
    ["::", 96],
    ["100::", 64],
    ["2001:db8::", 32],
    ["fc00::", 7],
    ["fe80::", 10],
    ["fec0::", 10],
    ["ff00::", 8]
  ] as const) {
    list.addSubnet(network, prefix, "ipv6")
  }
  return list
})()

/** NAT64's prefix: `64:ff9b::a.b.c.d` reaches the IPv4 address in its last 32 bits. */
const nat64 = (() => {
  const list = new BlockList()
  list.addSubnet("64:ff9b::", 96, "ipv6")
  return list
})()

/** The IPv4 address in the last 32 bits of an IPv6 address. */
const embeddedIpv4 = (address: string): string => {
  const groups = new SocketAddress({ address, family: "ipv6" }).address.split(":")
  const [high = 0, low = 0] = groups.slice(-2).map((group) => Number.parseInt(group || "0", 16))
  return [high >> 8, high & 255, low >> 8, low & 255].join(".")
}

/** Whether an address is loopback, private, link-local, unspecified, multicast or otherwise not public. */
export const isPrivateAddress = (address: string): boolean => {
  const family = isIP(address)
  if (family === 4) return notPublic.check(address, "ipv4")
  if (family !== 6) return true
  if (notPublic.check(address, "ipv6")) return true
  return nat64.check(address, "ipv6") && isPrivateAddress(embeddedIpv4(address))
}

const hostOf = (url: string) => {
  const host = new URL(url).hostname
  return host.startsWith("[") ? host.slice(1, -1) : host
}

/**
 * Refuses a URL whose host is not allowed: not listed, and not resolving only to public addresses. Answers the
 * addresses checked, which the request must then connect to (so a name that resolves elsewhere a moment later, DNS
 * rebinding, still reaches only them); `undefined` for a listed host, which is resolved as usual.
 */
const allowedAddresses = (
  allow: AllowList,
  url: string
): Effect.Effect<ReadonlyArray<string> | undefined, WebhookFailed> =>
  Effect.gen(function* () {
    const host = hostOf(url).toLowerCase()
    if (allow.hosts.includes("*") || allow.hosts.map((h) => h.toLowerCase()).includes(host)) return undefined
    const addresses =
      isIP(host) !== 0
        ? [host]
        : yield* Effect.tryPromise({
            try: () => (allow.resolve ?? systemResolve)(host),
            catch: (error) =>
              new WebhookFailed({ kind: "connection", detail: `cannot resolve ${host}: ${String(error)}` })
          })
    const internal = addresses.find(isPrivateAddress)
    if (internal !== undefined) {
      yield* Effect.fail(
        new WebhookFailed({
          kind: "not_allowed",
          detail: `the host ${host} is (or resolves to) the private or loopback address ${internal}, which the allow-list does not name`
        })
      )
    }
    return addresses
  })

/** Refuses a URL whose host is not allowed: not listed, and not resolving only to public addresses. */
export const checkHost = (allow: AllowList, url: string): Effect.Effect<void, WebhookFailed> =>
  Effect.asVoid(allowedAddresses(allow, url))

/** A DNS lookup that answers only `addresses` (those the allow-list checked), whatever the name resolves to now. */
const pinnedLookup =
  (addresses: ReadonlyArray<string>): LookupFunction =>
  (_hostname, options, callback) => {
    const entries = addresses.map((address) => ({ address, family: isIP(address) }))
    if (options.all === true) callback(null, entries)
    else callback(null, entries[0]?.address ?? "", entries[0]?.family ?? 4)
  }

const retryAfterMillis = (value: string | null, now: number): number | null => {
  if (value === null) return null
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? null : Math.max(0, date - now)
}

const EXCERPT_BYTES = 512

/** Connections kept open between requests (a receiver usually gets many in a row). */
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) }

/**
 * One POST with Node's `http`/`https` (not `fetch`: its streams, abort signals and request objects cost several times
 * the CPU of the request itself, which the dispatcher pays once per attempt). The timeout covers the answer's first
 * bytes; redirects are not followed; the connection is dropped when the answer is longer than the excerpt.
 */
const post = (
  request: WebhookRequest,
  addresses: ReadonlyArray<string> | undefined
): Effect.Effect<WebhookResponse, WebhookFailed> =>
  Effect.async((resume) => {
    const url = new URL(request.url)
    const https = url.protocol === "https:"
    const body = Buffer.from(request.body, "utf8")
    let finished = false
    const finish = (result: Effect.Effect<WebhookResponse, WebhookFailed>) => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      resume(result)
    }
    const outgoing = (https ? httpsRequest : httpRequest)(url, {
      method: "POST",
      headers: { ...request.headers, "Content-Length": String(body.length) },
      agent: https ? agents.https : agents.http,
      ...(addresses === undefined ? {} : { lookup: pinnedLookup(addresses) })
    })
    const timer = setTimeout(() => {
      finish(
        Effect.fail(new WebhookFailed({ kind: "timeout", detail: `no answer within ${request.timeoutMillis} ms` }))
      )
      outgoing.destroy()
    }, request.timeoutMillis)
    outgoing.on("error", (error) =>
      finish(Effect.fail(new WebhookFailed({ kind: "connection", detail: String(error).slice(0, 200) })))
    )
    outgoing.on("response", (incoming) => {
      const chunks: Array<Buffer> = []
      let size = 0
      const answer = () => {
        const retryAfter = incoming.headers["retry-after"]
        finish(
          Effect.succeed({
            status: incoming.statusCode ?? 0,
            retryAfterMillis: retryAfterMillis(retryAfter ?? null, Date.now()),
            excerpt: Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString("utf8")
          })
        )
      }
      incoming.on("data", (chunk: Buffer) => {
        chunks.push(chunk)
        size += chunk.length
        if (size >= EXCERPT_BYTES) {
          answer()
          incoming.destroy()
        }
      })
      incoming.on("end", answer)
      incoming.on("error", answer)
    })
    outgoing.end(body)
    return Effect.sync(() => {
      clearTimeout(timer)
      outgoing.destroy()
    })
  })

/** The transport over Node's `http` and `https` with an allow-list. */
export const make = (allow: AllowList): WebhookTransportShape => ({
  send: (request) => Effect.flatMap(allowedAddresses(allow, request.url), (addresses) => post(request, addresses))
})

/** The transport as a layer. */
export const layer = (allow: AllowList) => Layer.succeed(WebhookTransport, make(allow))
