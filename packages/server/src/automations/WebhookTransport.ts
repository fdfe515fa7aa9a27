/**
 * Sending webhooks from the server with Node's `http` and `https`: a timeout per request, no redirects followed, the answer's
 * status, `Retry-After` and the first bytes of its body; and the allow-list of webhook hosts, checked against the
 * URL's host and every address it resolves to, so an automation cannot make the server call internal addresses.
 */
import { lookup } from "node:dns/promises"
import { isIP } from "node:net"
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
}

const privateV4 = (address: string) => {
  const [a = 0, b = 0] = address.split(".").map(Number)
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  )
}

/** Whether an address is loopback, private, link-local, unspecified, multicast or otherwise not public. */
export const isPrivateAddress = (address: string): boolean => {
  const lower = address.toLowerCase()
  if (isIP(lower) === 4) return privateV4(lower)
  if (lower.startsWith("::ffff:")) return isPrivateAddress(lower.slice(7))
  return (
    lower === "::" ||
    lower === "::1" ||
    lower.startsWith("fc") ||
    lower.startsWith("fd") ||
    lower.startsWith("fe8") ||
    lower.startsWith("fe9") ||
    lower.startsWith("fea") ||
    lower.startsWith("feb") ||
    lower.startsWith("ff")
  )
}

const hostOf = (url: string) => {
  const host = new URL(url).hostname
  return host.startsWith("[") ? host.slice(1, -1) : host
}

/** Refuses a URL whose host is not allowed: not listed, and not resolving only to public addresses. */
export const checkHost = (allow: AllowList, url: string): Effect.Effect<void, WebhookFailed> =>
  Effect.gen(function* () {
    const host = hostOf(url).toLowerCase()
    if (allow.hosts.includes("*") || allow.hosts.map((h) => h.toLowerCase()).includes(host)) return
    const addresses =
      isIP(host) !== 0
        ? [host]
        : yield* Effect.tryPromise({
            try: () => lookup(host, { all: true }).then((found) => found.map((entry) => entry.address)),
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
  })

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
const post = (request: WebhookRequest): Effect.Effect<WebhookResponse, WebhookFailed> =>
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
      agent: https ? agents.https : agents.http
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
  send: (request) => Effect.zipRight(checkHost(allow, request.url), post(request))
})

/** The transport as a layer. */
export const layer = (allow: AllowList) => Layer.succeed(WebhookTransport, make(allow))
