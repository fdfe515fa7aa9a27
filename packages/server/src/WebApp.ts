/**
 * The Registry App's built files, served beside the API: `index.html` at `/` and at every client route (`/ui/…`),
 * the hashed assets at `/assets/…` with a year-long immutable cache. No API path starts with `/ui` or `/assets`, so
 * nothing here shadows an endpoint. Pages carry a Content-Security-Policy that allows scripts and styles from this
 * origin only (the app has no inline script) and the usual hardening headers.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { HttpApiBuilder, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"

/** The Content-Security-Policy of the app's pages. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'"
].join("; ")

/** The headers every page and asset is sent with. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=()"
}

const contentTypes: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2"
}

interface StaticFile {
  readonly body: Uint8Array
  readonly contentType: string
}

/** Reads the built app (a directory with `index.html` and `assets/`) into memory: it is small and never changes. */
export const readApp = (
  directory: string
): { readonly index: StaticFile; readonly assets: Map<string, StaticFile> } => {
  const index = { body: fs.readFileSync(path.join(directory, "index.html")), contentType: contentTypes[".html"]! }
  const assets = new Map<string, StaticFile>()
  const assetsDirectory = path.join(directory, "assets")
  if (fs.existsSync(assetsDirectory)) {
    for (const name of fs.readdirSync(assetsDirectory)) {
      const file = path.join(assetsDirectory, name)
      if (!fs.statSync(file).isFile()) continue
      assets.set(name, {
        body: fs.readFileSync(file),
        contentType: contentTypes[path.extname(name)] ?? "application/octet-stream"
      })
    }
  }
  return { index, assets }
}

const send = (file: StaticFile, cacheControl: string) =>
  HttpServerResponse.uint8Array(file.body, {
    contentType: file.contentType,
    headers: { ...SECURITY_HEADERS, "cache-control": cacheControl }
  })

/** The routes of the app built into `directory`. */
export const webAppRoutes = (directory: string) =>
  HttpApiBuilder.Router.use((router) =>
    Effect.gen(function* () {
      const app = readApp(directory)
      const page = Effect.succeed(send(app.index, "no-cache"))
      yield* router.get("/", page)
      yield* router.get("/ui", page)
      yield* router.get("/ui/*", page)
      yield* router.get(
        "/assets/*",
        Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
          const name = decodeURIComponent(new URL(request.url, "http://app").pathname.slice("/assets/".length))
          const file = app.assets.get(name)
          return file === undefined
            ? HttpServerResponse.text("Not found", { status: 404, headers: SECURITY_HEADERS })
            : send(file, "public, max-age=31536000, immutable")
        })
      )
    })
  )
