/**
 * What a command runs with: the application service over the chosen store (opened for the command and closed after
 * it), the acting user, and the blob directory of the data directory.
 */
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import {
  BlobStore,
  EventStore,
  type InvalidChainKey,
  ReadModelStore,
  Registrar,
  type RegistrarShape,
  SnapshotStore,
  type StoreUnavailable
} from "@registrar/domain"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Blobs from "./Blobs.js"
import { type Common, location, type StoreLocation, actor as actorOf } from "./Common.js"
import * as Connection from "./Connection.js"
import { ActorFixedRemotely, type MissingUser, NotAvailableRemotely, NotLoggedIn, type StoreBusy } from "./Errors.js"
import type { RegistrarClient, RemoteFailure } from "./Remote.js"
import type { Transfer } from "./RemoteFiles.js"
import * as Store from "./Store.js"

/** The service, the store's location and the blob directory of one command. */
export interface Session {
  readonly registrar: RegistrarShape
  readonly location: StoreLocation
  /** The data directory's blob directory: `DATA_DIR/blobs`, or a temporary directory for `--memory`. */
  readonly blobs: string
  /**
   * Where this store keeps file contents: the database itself on a PostgreSQL server (so `registrar serve` on it, in
   * any process, reads them), else the blob directory.
   */
  readonly files: Blobs.FileStore
}

/** A session with the user it acts as: on a local store, or against a server (`server` is its URL). */
export interface UserSession {
  readonly registrar: RegistrarClient
  readonly actor: string
  /** Where the local store keeps file contents; undefined against a server (see `transfer`). */
  readonly files: Blobs.FileStore | undefined
  /** The server the command runs against; undefined on a local store. */
  readonly server: string | undefined
  /** Against a server: its file uploads and downloads (loaded when a command first moves files). */
  readonly transfer: Effect.Effect<Transfer> | undefined
}

/**
 * The secret box of `$REGISTRAR_SECRETS_KEY` (automation secrets are sealed with it), loaded only when the key is
 * set; read here only, never printed.
 */
const secretBox = Layer.unwrapEffect(
  Effect.promise(async () => {
    const key = process.env.REGISTRAR_SECRETS_KEY
    if (key === undefined || key === "") return Layer.empty
    const { SecretBox } = await import("@registrar/server")
    return SecretBox.layer(key)
  })
)

const services = (where: StoreLocation) => {
  // Read per command, not when this module loads (see `json` in Run.ts).
  const defaultOrganization = process.env.REGISTRAR_ORG
  return Registrar.layer(
    defaultOrganization === undefined || defaultOrganization === "" ? {} : { defaultOrganization }
  ).pipe(Layer.provideMerge(Store.layer(where)), Layer.provideMerge(secretBox))
}

const blobDirectory = (where: StoreLocation) =>
  where.kind === "memory"
    ? Effect.acquireRelease(
        Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "registrar-blobs-"))),
        (directory) => Effect.promise(() => fs.rm(directory, { recursive: true, force: true }))
      )
    : Effect.succeed(Blobs.directoryOf(where.dataDir))

/** Where the options and the environment say a command runs (see `Connection` for the precedence). */
export const target = (common: Common): Connection.Target =>
  Connection.select(
    {
      server: Option.getOrUndefined(common.server),
      local: Option.isSome(common.dataDir) || Option.isSome(common.databaseUrl) || common.memory
    },
    process.env
  )

const fileStore = (where: StoreLocation, blobs: string) =>
  where.kind === "server"
    ? Effect.gen(function* () {
        const { PgBlobStore } = yield* Effect.promise(() => import("@registrar/adapters-pg"))
        const context = yield* Layer.build(
          PgBlobStore.layer({
            url: where.databaseUrl ?? "",
            poolSize: 2,
            ...(where.schema === undefined ? {} : { schema: where.schema })
          })
        )
        return { store: Context.get(context, BlobStore), where: "the database's blob tables" }
      })
    : Effect.promise(async () => {
        const { FileBlobStore } = await import("@registrar/adapters-blob")
        return { store: FileBlobStore.make(blobs), where: blobs }
      })

/**
 * Runs `body` with the service over the store the options name (with `poolSize` connections to a server store); the
 * store closes when it ends.
 */
export const withStore = <A, E, R>(
  common: Common,
  body: (session: Session) => Effect.Effect<A, E, R>,
  poolSize?: number
): Effect.Effect<
  A,
  E | StoreUnavailable | StoreBusy | InvalidChainKey,
  Exclude<R, Registrar | Store.Stores | Scope.Scope>
> => {
  if (Option.isSome(common.server)) {
    return Effect.fail(
      new NotAvailableRemotely({
        operation: "This command",
        fix: "it works on a local store only; drop --server and give --data-dir or --database-url"
      })
    ) as unknown as Effect.Effect<A, StoreUnavailable, never>
  }
  const where = poolSize === undefined ? location(common) : { ...location(common), poolSize }
  return Effect.scoped(
    Effect.gen(function* () {
      const blobs = yield* blobDirectory(where)
      const files = yield* fileStore(where, blobs)
      const registrar = yield* Registrar
      return yield* body({ registrar, location: where, blobs, files })
    })
  ).pipe(Effect.provide(services(where))) as Effect.Effect<
    A,
    E | StoreUnavailable | StoreBusy | InvalidChainKey,
    Exclude<R, Registrar | Store.Stores | Scope.Scope>
  >
}

// A remote command reads no store of its own: `link --interactive` and `download`, which would, refuse first.
const noLocalStores = Context.empty().pipe(
  Context.add(EventStore, unreachableStore("EventStore") as EventStore["Type"]),
  Context.add(ReadModelStore, unreachableStore("ReadModelStore") as ReadModelStore["Type"]),
  Context.add(SnapshotStore, unreachableStore("SnapshotStore") as SnapshotStore["Type"])
)

function unreachableStore(name: string): object {
  return new Proxy(
    {},
    {
      get: () => () =>
        Effect.die(new NotAvailableRemotely({ operation: `Reading the local ${name}`, fix: "drop --server" }))
    }
  )
}

const remote = <A, E, R>(
  common: Common,
  server: Connection.Remote,
  body: (session: UserSession) => Effect.Effect<A, E, R>
): Effect.Effect<
  A,
  E | RemoteFailure | ActorFixedRemotely | NotLoggedIn,
  Exclude<R, Registrar | Store.Stores | Scope.Scope>
> =>
  Effect.gen(function* () {
    if (Option.isSome(common.as)) {
      return yield* Effect.fail(new ActorFixedRemotely({ server: server.server, given: common.as.value }))
    }
    const key = server.key
    if (key === undefined) return yield* Effect.fail(new NotLoggedIn({ server: server.server }))
    const Remote = yield* Effect.promise(() => import("./Remote.js"))
    const registrar = yield* Remote.make(server.server, key)
    // The stored login knows the key's user; a key from the environment is asked about (one GET /me).
    const user = server.user ?? (yield* Remote.whoAmI(server.server, key)).user
    const transfer = Effect.flatMap(
      Effect.promise(() => import("./RemoteFiles.js")),
      (RemoteFiles) => RemoteFiles.make(server.server, key)
    )
    return yield* body({ registrar, actor: user, files: undefined, server: server.server, transfer })
  }).pipe(Effect.scoped, Effect.provide(noLocalStores)) as Effect.Effect<
    A,
    E | RemoteFailure | ActorFixedRemotely | NotLoggedIn,
    Exclude<R, Registrar | Store.Stores | Scope.Scope>
  >

/**
 * Runs `body` as the acting user: against a server as the user of its API key (`--as` is refused there), or on the
 * local store as `--as` or `$REGISTRAR_USER` (failing before opening the store when none is given).
 */
export const asUser = <A, E, R>(
  common: Common,
  body: (session: UserSession) => Effect.Effect<A, E, R>
): Effect.Effect<
  A,
  E | MissingUser | StoreUnavailable | StoreBusy | InvalidChainKey | RemoteFailure | ActorFixedRemotely | NotLoggedIn,
  Exclude<R, Registrar | Store.Stores | Scope.Scope>
> => {
  const where = target(common)
  if (where.kind === "remote") return remote(common, where, body)
  return Effect.flatMap(actorOf(common), (actor) =>
    withStore(common, (session) =>
      body({ registrar: session.registrar, actor, files: session.files, server: undefined, transfer: undefined })
    )
  )
}
