/**
 * `registrar serve --s3-bucket` end to end: the real binary serves the store with its files in S3 (s3rver, started
 * by the test on 127.0.0.1 on a free port), and the remote CLI uploads, logs, links and downloads through it with
 * every sha256 checked. The bytes are in the bucket and nowhere else: not in the data directory's blobs, nor in the
 * database's blob tables; an object damaged in the bucket fails the download and leaves nothing behind.
 */
import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import pg from "pg"
import S3rver from "s3rver"
import { expect, it } from "vitest"
import { API_KEY, databaseUrl, eachStore, ok, run, type Store, serve, withStore, stop } from "./support/Cli.js"

const BUCKET = "registrar-files"
const ORG = "smle-registries-bug-bash"
const ARTIFACT = "smle-reg-team-1/registry_quickstart/s3_files"
const COLLECTION = `${ORG}/wandb-registry-S3 Files/shards`

/** s3rver in a temporary directory, with the bucket; `close` stops it and removes the directory. */
const startS3 = async () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "registrar-serve-s3-"))
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory,
    configureBuckets: [{ name: BUCKET, configs: [] }]
  })
  const address = (await server.run()) as { port: number }
  return {
    directory,
    endpoint: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await server.close()
      fs.rmSync(directory, { recursive: true, force: true })
    }
  }
}

/** Every file under `root`, by its path inside it. */
const tree = (root: string): ReadonlyArray<string> =>
  fs.existsSync(root)
    ? (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as Array<fs.Dirent>)
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
        .sort()
    : []

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex")

eachStore("registrar serve with its files in S3", (fresh) => {
  it(
    "uploads, logs, links and downloads through the bucket, digest checked, and refuses a damaged object",
    () =>
      withStore(fresh, async (served) => {
        const s3 = await startS3()
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "registrar-serve-s3-cli-"))
        try {
          const files = path.join(scratch, "files")
          fs.mkdirSync(path.join(files, "nested"), { recursive: true })
          const contents = {
            "labels.csv": Buffer.from("id,label\n1,cat\n2,dog\n"),
            "nested/shard-0.bin": randomBytes(2 * 1024 * 1024 + 5)
          }
          for (const [name, bytes] of Object.entries(contents)) fs.writeFileSync(path.join(files, name), bytes)
          const bobKey = API_KEY.exec(await ok(served, "api-key", "create", "--user", "bob"))?.[0]
          expect(bobKey).toBeDefined()
          const blobsBefore = tree(path.join(served.dataDir, "blobs"))
          // s3rver checks the signature's form, not the keys; credentials come from the SDK's usual variables.
          const withS3: Store = {
            ...served,
            env: {
              ...served.env,
              AWS_ACCESS_KEY_ID: "S3RVER",
              AWS_SECRET_ACCESS_KEY: "S3RVER",
              AWS_REGION: "us-east-1"
            }
          }
          const server = await serve(withS3, ["--s3-bucket", BUCKET, "--s3-endpoint", s3.endpoint, "--s3-prefix", "t"])
          try {
            const remote: Store = {
              name: "remote",
              dataDir: scratch,
              env: { REGISTRAR_SERVER: server.url, REGISTRAR_API_KEY: bobKey!, XDG_CONFIG_HOME: scratch }
            }
            const logged = await run(remote, "artifact", "log", ARTIFACT, "--type", "dataset", "--dir", files, "--json")
            expect(logged.code, logged.stderr).toBe(0)
            const manifest = JSON.parse(logged.stdout).files as ReadonlyArray<{ path: string; sha256: string }>
            expect(manifest).toStrictEqual(
              Object.entries(contents).map(([name, bytes]) => ({
                path: name,
                sha256: sha256(bytes),
                size: bytes.length
              }))
            )
            // Each content is an object under the prefix in the bucket, and not in the data directory's blobs.
            const objects = tree(s3.directory).join("\n")
            for (const file of manifest) expect(objects).toContain(file.sha256)
            expect(tree(path.join(served.dataDir, "blobs"))).toStrictEqual(blobsBefore)
            const schema = served.env.REGISTRAR_SCHEMA
            if (schema !== undefined) {
              const client = new pg.Client({ connectionString: databaseUrl })
              await client.connect()
              try {
                const inTables = await client.query(`SELECT sha256 FROM "${schema}".blobs WHERE sha256 = ANY($1)`, [
                  manifest.map((file) => file.sha256)
                ])
                expect(inTables.rows).toStrictEqual([])
              } finally {
                await client.end()
              }
            }

            for (const args of [
              ["registry", "create", "S3 Files", "--org", ORG, "--type", "dataset"],
              ["collection", "create", COLLECTION, "--type", "dataset"],
              ["link", `${ARTIFACT}:v0`, COLLECTION]
            ]) {
              const done = await run(remote, ...args)
              expect(done.code, `${args.join(" ")}: ${done.stderr}`).toBe(0)
            }
            for (const [reference, to] of [
              [`${COLLECTION}:v0`, "linked"],
              [`${ARTIFACT}:v0`, "source"]
            ] as const) {
              const downloaded = await run(remote, "artifact", "download", reference, "--to", to)
              expect(downloaded.code, downloaded.stderr).toBe(0)
              expect(downloaded.stdout).toContain("(2 files, every sha256 checked)")
              for (const [name, bytes] of Object.entries(contents)) {
                expect(fs.readFileSync(path.join(scratch, to, name)).equals(bytes), `${to}/${name}`).toBe(true)
              }
            }

            // An object damaged in the bucket: the server cuts the download short, the CLI leaves nothing behind.
            const shard = manifest.find((file) => file.path === "nested/shard-0.bin")!
            const object = tree(s3.directory).find(
              (file) => file.includes(shard.sha256) && !file.endsWith(".json") && !file.includes("metadata")
            )
            expect(object).toBeDefined()
            const stored = path.join(s3.directory, object!)
            const bytes = fs.readFileSync(stored)
            bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff
            fs.writeFileSync(stored, bytes)
            const broken = await run(remote, "artifact", "download", `${COLLECTION}:v0`, "--to", "broken")
            expect(broken.code).toBe(1)
            expect(broken.stderr).toContain(`"nested/shard-0.bin" did not arrive intact from ${server.url}`)
            expect(fs.existsSync(path.join(scratch, "broken"))).toBe(false)
            expect(server.output()).not.toContain(bobKey!)
          } finally {
            await stop(server.child)
          }
        } finally {
          await s3.close()
          fs.rmSync(scratch, { recursive: true, force: true })
        }
      }),
    300_000
  )
})
