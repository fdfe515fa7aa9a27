/**
 * What a command runs with: the application service over the chosen store (opened for the command and closed after
 * it), the acting user, and the blob directory of the data directory.
 */
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import {
  BlobStore,
  type InvalidChainKey,
  Registrar,
  type RegistrarShape,
  type StoreUnavailable
} from "@registrar/domain"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Blobs from "./Blobs.js"
import { type Common, location, type StoreLocation, actor as actorOf } from "./Common.js"
import type { MissingUser, StoreBusy } from "./Errors.js"
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

/** A session with the user it acts as. */
export interface UserSession extends Session {
  readonly actor: string
}

const defaultOrganization = process.env.REGISTRAR_ORG

const services = (where: StoreLocation) =>
  Registrar.layer(defaultOrganization === undefined || defaultOrganization === "" ? {} : { defaultOrganization }).pipe(
    Layer.provideMerge(Store.layer(where))
  )

const blobDirectory = (where: StoreLocation) =>
  where.kind === "memory"
    ? Effect.acquireRelease(
        Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "registrar-blobs-"))),
        (directory) => Effect.promise(() => fs.rm(directory, { recursive: true, force: true }))
      )
    : Effect.succeed(Blobs.directoryOf(where.dataDir))

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

/** Runs `body` with the service over the store the options name; the store closes when it ends. */
export const withStore = <A, E, R>(
  common: Common,
  body: (session: Session) => Effect.Effect<A, E, R>
): Effect.Effect<
  A,
  E | StoreUnavailable | StoreBusy | InvalidChainKey,
  Exclude<R, Registrar | Store.Stores | Scope.Scope>
> => {
  const where = location(common)
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

/** Runs `body` as the acting user (`--as` or `$REGISTRAR_USER`), failing before opening the store when none is given. */
export const asUser = <A, E, R>(
  common: Common,
  body: (session: UserSession) => Effect.Effect<A, E, R>
): Effect.Effect<
  A,
  E | MissingUser | StoreUnavailable | StoreBusy | InvalidChainKey,
  Exclude<R, Registrar | Store.Stores | Scope.Scope>
> => Effect.flatMap(actorOf(common), (actor) => withStore(common, (session) => body({ ...session, actor })))
