/**
 * `serve`: Registrar as a shared HTTP service on the store the options name (the embedded store of the data
 * directory by default, or `--database-url`); and `api-key create|list|revoke`: any user's keys on that store, or
 * against a server your own (the instance admin: anyone's).
 */
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Config from "effect/Config"
import { ApiKey, BlobStore } from "@registrar/domain"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as DataDirLock from "../DataDirLock.js"
import * as Output from "../Output.js"
import { help, leaf } from "../Root.js"
import { actor, boundedInteger, type Common, location } from "../Common.js"
import { UsageError } from "../Errors.js"
import * as ServeWorkers from "../ServeWorkers.js"
import type { RegistrarClient } from "../Remote.js"
import { asUser, target, withStore } from "../Session.js"

const bootstrapKeyVariable = "REGISTRAR_BOOTSTRAP_KEY"

/**
 * Where `serve` keeps artifact files: S3 when a bucket is configured, else where the store's own commands keep them
 * (the session's file store): the database itself on a PostgreSQL server (every process on it reads every file, over
 * the session's small pool of its own), else the data directory's blob directory.
 */
const blobStoreLayer = (
  args: {
    readonly s3Bucket: Option.Option<string>
    readonly s3Endpoint: Option.Option<string>
    readonly s3Prefix: Option.Option<string>
  },
  files: BlobStore["Type"]
) =>
  Option.match(args.s3Bucket, {
    onNone: () => Effect.succeed(Layer.succeed(BlobStore, files)),
    onSome: (bucket) =>
      Effect.promise(async (): Promise<Layer.Layer<BlobStore, unknown>> => {
        const { S3BlobStore } = await import("@registrar/adapters-blob")
        return S3BlobStore.layer({
          bucket,
          ...Option.match(args.s3Endpoint, { onNone: () => ({}), onSome: (endpoint) => ({ endpoint }) }),
          ...Option.match(args.s3Prefix, { onNone: () => ({}), onSome: (prefix) => ({ prefix }) })
        })
      })
  })

/**
 * The built Registry App: `web/` next to the bundle (the bundle script copies it there), else the web package's
 * build output when running from the compiled sources; none when neither was built.
 */
const webRoot = (): string | undefined =>
  [new URL("./web/", import.meta.url), new URL("../../../../web/dist/app/", import.meta.url)]
    .map((url) => fileURLToPath(url))
    .find((directory) => fs.existsSync(`${directory}index.html`))

const numberFrom = (variable: string) => {
  const value = Number(process.env[variable])
  return Number.isFinite(value) && value > 0 ? value : undefined
}

/**
 * The dispatcher's tunables, from the environment (defaults in docs/automations.md): REGISTRAR_AUTOMATION_LEASE_MS,
 * _POLL_MS, _MAX_ATTEMPTS, _RETRY_BASE_MS, _RETRY_MAX_MS and _TIMEOUT_MS.
 */
const dispatcherSettings = () => {
  const pick = <K extends string>(key: K, variable: string) => {
    const value = numberFrom(variable)
    return value === undefined ? {} : ({ [key]: value } as { [P in K]: number })
  }
  return {
    ...pick("leaseMillis", "REGISTRAR_AUTOMATION_LEASE_MS"),
    ...pick("pollMillis", "REGISTRAR_AUTOMATION_POLL_MS"),
    retry: {
      ...pick("maxAttempts", "REGISTRAR_AUTOMATION_MAX_ATTEMPTS"),
      ...pick("baseDelayMillis", "REGISTRAR_AUTOMATION_RETRY_BASE_MS"),
      ...pick("maxDelayMillis", "REGISTRAR_AUTOMATION_RETRY_MAX_MS"),
      ...pick("timeoutMillis", "REGISTRAR_AUTOMATION_TIMEOUT_MS")
    }
  }
}

const serveOptions = {
  port: boundedInteger("port", 0, 65535).pipe(
    Options.withDescription("The TCP port (0: any free port)."),
    Options.withDefault(8080)
  ),
  host: Options.text("host").pipe(
    Options.withDescription("The address to listen on (0.0.0.0 for every interface)."),
    Options.withDefault("127.0.0.1")
  ),
  admin: Options.text("admin").pipe(
    Options.withDescription("The instance admin created on the store's first start."),
    Options.withDefault("admin")
  ),
  uploadLimit: boundedInteger("upload-limit-mib", 1, 1024 * 1024).pipe(
    Options.withDescription(
      "The largest file upload (POST /blobs) accepted, in MiB; larger ones get 413. JSON bodies keep their own 1 MiB limit."
    ),
    Options.withDefault(5120)
  ),
  s3Bucket: Options.text("s3-bucket").pipe(
    Options.withFallbackConfig(Config.string("REGISTRAR_S3_BUCKET")),
    Options.withDescription(
      "Keep artifact files in this S3 (or S3-compatible) bucket instead of the default ($REGISTRAR_S3_BUCKET). Credentials and region come from the AWS SDK's usual sources: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, profiles, roles."
    ),
    Options.optional
  ),
  s3Endpoint: Options.text("s3-endpoint").pipe(
    Options.withFallbackConfig(Config.string("REGISTRAR_S3_ENDPOINT")),
    Options.withDescription(
      "The endpoint of an S3-compatible service, e.g. http://minio:9000 ($REGISTRAR_S3_ENDPOINT; default: AWS)."
    ),
    Options.optional
  ),
  s3Prefix: Options.text("s3-prefix").pipe(
    Options.withFallbackConfig(Config.string("REGISTRAR_S3_PREFIX")),
    Options.withDescription("A key prefix for the files in the bucket ($REGISTRAR_S3_PREFIX; default: none)."),
    Options.optional
  ),
  workers: boundedInteger("workers", 1, 64).pipe(
    Options.withDescription(
      "Server processes sharing the port, so that every core answers requests (one per core is usual). Needs --database-url: the embedded store is opened by one process at a time."
    ),
    Options.withDefault(1)
  ),
  poolSize: boundedInteger("pool-size", 1, 1000).pipe(
    Options.withDescription(
      "PostgreSQL connections for the store per server process, with --database-url. Each process also holds one that listens for appends and up to two for file contents, so N + 3 in all; the server's max_connections bounds the sum over every process."
    ),
    Options.withDefault(16)
  ),
  webhookAllowHosts: Options.text("webhook-allow-hosts").pipe(
    Options.withFallbackConfig(Config.string("REGISTRAR_WEBHOOK_ALLOW_HOSTS")),
    Options.withPseudoName("HOST,HOST"),
    Options.withDescription(
      "Webhook hosts automations may call even on private or loopback addresses, comma-separated; * allows every host ($REGISTRAR_WEBHOOK_ALLOW_HOSTS). Default: none, so webhooks go only to hosts whose every address is public."
    ),
    Options.withDefault("")
  )
}

const serve = leaf(
  "serve",
  serveOptions,
  help(
    `Serve the HTTP API (with /openapi.json and /docs) and the Registry App (at /; sign in with an API key) on the store. The first start on a store creates the instance admin and prints their API key once (or takes it from $${bootstrapKeyVariable}). Every request needs "Authorization: Bearer <key>". SIGTERM finishes the requests in flight, then closes the store. On a PostgreSQL server store, --workers N runs N server processes on the one port (one per core is usual); a worker that stops is replaced. Artifact files live in the data directory's blobs/ on the embedded store, in the database itself with --database-url (so every server process reads them), or in S3 with --s3-bucket. Upload a file with POST /blobs (raw body), then log a version naming its sha256. Automations (registrar automation --help) are delivered by every server process of the store, one at a time per automation; webhooks to private or loopback addresses need --webhook-allow-hosts, and secrets need $REGISTRAR_SECRETS_KEY (the same on every process).`,
    "registrar serve --port 8080",
    "registrar serve --database-url postgres://user@db:5432/registry --host 0.0.0.0",
    "registrar serve --database-url postgres://user@db:5432/registry --workers 4    # four processes, one port",
    "AWS_REGION=eu-west-1 registrar serve --database-url postgres://user@db:5432/registry --s3-bucket registry-files"
  ),
  (args, common) => {
    const worker = ServeWorkers.workerNumber()
    return worker === undefined && args.workers > 1 ? serveWithWorkers(args, common) : serveHere(args, common, worker)
  }
)

type ServeArgs = Command.Command.ParseConfig<typeof serveOptions>

/** Creates the instance admin on a store's first start, and says so (with the key, when it was made here). */
const bootstrapOnce = (args: ServeArgs) =>
  Effect.gen(function* () {
    const { Server } = yield* Effect.promise(() => import("@registrar/server"))
    const given = process.env[bootstrapKeyVariable]
    const bootstrapped = yield* Server.bootstrap({
      admin: args.admin,
      ...(given === undefined || given === "" ? {} : { key: given })
    })
    if (Option.isSome(bootstrapped)) {
      const created = bootstrapped.value
      yield* Output.line(
        given === undefined || given === ""
          ? `Bootstrapped this store: the instance admin is "${created.user}". Their API key, shown only now:\n\n  ${created.key}\n`
          : `Bootstrapped this store: the instance admin is "${created.user}", with the key from $${bootstrapKeyVariable}.`
      )
    }
  })

const appNote = (app: string | undefined) =>
  app === undefined ? "the Registry App is not built: pnpm build" : "the Registry App at /"

/**
 * One server in this process: the whole of `serve`, or (`worker` given) one of the processes of `serve --workers`,
 * which leaves the bootstrap and the announcements to the first process, tells it its port, and marks its request
 * log's lines with its number.
 */
const serveHere = (args: ServeArgs, common: Common, worker: number | undefined) =>
  withStore(
    common,
    ({ location, files }) =>
      Effect.gen(function* () {
        const { Server } = yield* Effect.promise(() => import("@registrar/server"))
        if (worker === undefined) yield* bootstrapOnce(args)
        yield* Effect.scoped(
          Effect.gen(function* () {
            const blobStore = yield* blobStoreLayer(args, files.store)
            const app = webRoot()
            const { AutomationDispatcher, WebhookTransport } = yield* Effect.promise(() => import("@registrar/server"))
            const hosts = args.webhookAllowHosts
              .split(",")
              .map((host) => host.trim())
              .filter((host) => host !== "")
            const mark = worker === undefined ? "" : ` worker=${worker}`
            const context = yield* Layer.build(
              Server.layer({
                port: args.port,
                host: args.host,
                uploadLimitBytes: args.uploadLimit * 1024 * 1024,
                log: (entry) => Output.line(`${new Date().toISOString()} ${entry}${mark}`),
                ...(app === undefined ? {} : { webRoot: app })
              }).pipe(
                Layer.provide(blobStore),
                Layer.merge(
                  AutomationDispatcher.layer(dispatcherSettings()).pipe(
                    Layer.provide(WebhookTransport.layer({ hosts }))
                  )
                )
              )
            )
            const port = yield* Effect.provide(Server.boundPort, context)
            if (worker !== undefined) {
              yield* ServeWorkers.reportListening(port)
              return yield* Effect.never
            }
            if (location.kind === "pglite") {
              // Commands run on this data directory meanwhile are told where the server is instead of waiting for it.
              const url = `http://${localAddress(args.host)}:${port}`
              yield* Effect.acquireRelease(
                Effect.promise(() => DataDirLock.markServing(location.dataDir, url)),
                () => Effect.promise(() => DataDirLock.unmarkServing(location.dataDir))
              )
            }
            yield* Output.line(`Listening on http://${args.host}:${port} (${appNote(app)}, API docs at /docs)`)
            return yield* Effect.never.pipe(
              Effect.onInterrupt(() =>
                Output.line("Stopping: no new connections; finishing the requests in flight, then closing the store.")
              )
            )
          })
        )
      }),
    args.poolSize
  ).pipe(
    // After the store is closed (the scope of `withStore` has ended by the time the interruption reaches here).
    Effect.onInterrupt(() =>
      worker === undefined
        ? Output.line("Stopped: every request in flight was answered and the store is closed.")
        : Effect.void
    )
  )

/**
 * `serve --workers N`: the store opened here once (migrations, bootstrap) and closed, then N workers serving it on one
 * port (see ServeWorkers).
 */
const serveWithWorkers = (args: ServeArgs, common: Common) =>
  Effect.gen(function* () {
    if (location(common).kind !== "server" && Option.isNone(common.server)) {
      return yield* Effect.fail(
        new UsageError({
          problem: `--workers ${args.workers} needs a PostgreSQL server store`,
          fix: "give --database-url (or $DATABASE_URL); the embedded store is opened by one process at a time, so serve it without --workers"
        })
      )
    }
    yield* withStore(common, () => bootstrapOnce(args))
    yield* Effect.scoped(
      Effect.gen(function* () {
        const workers = yield* ServeWorkers.start(args.workers, Output.line)
        yield* Output.line(
          `Listening on http://${args.host}:${workers.port} with ${args.workers} worker processes (${appNote(webRoot())}, API docs at /docs)`
        )
        return yield* workers.supervise.pipe(
          Effect.onInterrupt(() =>
            Output.line(
              "Stopping: no new connections; every worker finishes its requests in flight and closes the store."
            )
          )
        )
      })
    )
  }).pipe(Effect.onInterrupt(() => Output.line("Stopped: every worker answered its requests in flight and stopped.")))

/** How a client on this machine reaches a server listening on `host`: every interface answers on the loopback one. */
const localAddress = (host: string): string =>
  host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "[::1]" : host.includes(":") ? `[${host}]` : host

const user = Options.text("user").pipe(
  Options.withPseudoName("USER"),
  Options.withDescription(
    "Whose keys. On a store: any user's (default --as or $REGISTRAR_USER). Against a server: your own (the default), or any user's as the instance admin."
  ),
  Options.optional
)

/**
 * Runs a key command on `user`'s keys: on the store as that user (whoever holds the store may manage anyone's keys),
 * or against a server as the user of the key that signs in, who manages their own keys (the instance admin, anyone's).
 */
const onKeysOf = <A, E, R>(
  common: Common,
  user: Option.Option<string>,
  body: (registrar: RegistrarClient, owner: { readonly actor: string; readonly user: string }) => Effect.Effect<A, E, R>
) =>
  target(common).kind === "remote"
    ? asUser(common, (session) =>
        body(session.registrar, { actor: session.actor, user: Option.getOrElse(user, () => session.actor) })
      )
    : Effect.flatMap(Option.match(user, { onNone: () => actor(common), onSome: Effect.succeed }), (owner) =>
        withStore(common, ({ registrar }) => body(registrar, { actor: owner, user: owner }))
      )

const create = leaf(
  "create",
  {
    user,
    name: Options.text("name").pipe(
      Options.withDescription("Where the key is used, e.g. ci."),
      Options.withDefault("default")
    )
  },
  help(
    "Create an API key and print it once (only its digest is stored): on a store for any user; against a server (after `registrar login`) for yourself, or as the instance admin for any user.",
    "registrar api-key create --user alice --name laptop",
    "registrar api-key create --name ci    # logged in: a second key of your own, e.g. for CI"
  ),
  (args, common) =>
    onKeysOf(common, args.user, (registrar, owner) =>
      Effect.gen(function* () {
        const created = yield* registrar.createApiKey({
          ...owner,
          name: args.name,
          random: randomBytes(ApiKey.RANDOM_BYTES)
        })
        yield* Output.emit(
          common,
          created,
          () => `API key "${created.name}" for ${created.user} (shown only now; store it):\n\n  ${created.key}\n`
        )
      })
    )
)

const list = leaf(
  "list",
  { user },
  help(
    "List API keys: name, prefix and dates, never the secret.",
    "registrar api-key list --user alice",
    "registrar api-key list    # logged in: your own keys"
  ),
  (args, common) =>
    onKeysOf(common, args.user, (registrar, owner) =>
      Effect.gen(function* () {
        const keys = yield* registrar.listApiKeys(owner)
        yield* Output.emit(common, keys, () =>
          Output.table(
            ["PREFIX", "NAME", "CREATED", "EXPIRES", "REVOKED"],
            keys.map((key) => [key.prefix, key.name, key.createdAt, key.expiresAt ?? "-", key.revokedAt ?? "-"])
          )
        )
      })
    )
)

const revoke = leaf(
  "revoke",
  { user, prefix: Args.text({ name: "prefix" }).pipe(Args.withDescription("The key's prefix (see api-key list).")) },
  help(
    "Revoke an API key; it authenticates no more, on every server of the store, at once.",
    "registrar api-key revoke --user alice 0a1b2c3d",
    "registrar api-key revoke 0a1b2c3d    # logged in: one of your own keys"
  ),
  (args, common) =>
    onKeysOf(common, args.user, (registrar, owner) =>
      Effect.gen(function* () {
        const result = yield* registrar.revokeApiKey({ ...owner, prefix: args.prefix })
        yield* Output.emit(common, result, () =>
          result.changed
            ? `Revoked key ${result.prefix} of ${result.user}.`
            : `Key ${result.prefix} was already revoked.`
        )
      })
    )
)

/** The `serve` command and the `api-key` commands. */
export const commands = [
  serve,
  Command.make("api-key").pipe(
    Command.withDescription("API keys for the HTTP API: create (printed once), list, revoke."),
    Command.withSubcommands([create, list, revoke])
  )
] as const
