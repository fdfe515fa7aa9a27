/** An S3-compatible server for the tests: `s3rver` on 127.0.0.1 on a free port, in a temporary directory. */
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, type Scope } from "effect"
import S3rver from "s3rver"

/** What the S3 adapter needs to reach the running server. */
export interface RunningS3 {
  readonly endpoint: string
  readonly bucket: string
}

/** Starts s3rver with one bucket; it stops and its directory is removed when the scope closes. */
export const startS3rver = (bucket = "registrar-blobs"): Effect.Effect<RunningS3, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const directory = await fs.mkdtemp(path.join(os.tmpdir(), "registrar-s3rver-"))
      const server = new S3rver({
        port: 0,
        address: "127.0.0.1",
        silent: true,
        directory,
        configureBuckets: [{ name: bucket, configs: [] }]
      })
      const address = (await server.run()) as { port: number }
      return { server, directory, endpoint: `http://127.0.0.1:${address.port}`, bucket }
    }),
    ({ server, directory }) =>
      Effect.promise(async () => {
        await server.close()
        await fs.rm(directory, { recursive: true, force: true })
      })
  )

/** The client settings s3rver accepts (it checks the signature's form, not the keys). */
export const s3rverCredentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" }
