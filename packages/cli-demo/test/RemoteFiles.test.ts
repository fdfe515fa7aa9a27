/**
 * Files through the remote CLI: the real binary against a real `registrar serve` on a free port (embedded store, and
 * the PostgreSQL server). `artifact log --dir` uploads every file and prints what the same command prints on a local
 * store; the version, once linked, downloads remotely into the same bytes with the same output, and so does the source
 * version for its team's member (not for a user outside the team); a blob corrupted on the server's side fails the download with a one-line
 * error and leaves no file, no directory and no staging directory behind. A file larger than the CLI's peak memory
 * goes up and comes back down: the CLI streams it both ways. An upload the server stores under another digest is
 * refused before anything is logged.
 */
import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import pg from "pg"
import { describe, expect, it } from "vitest"
import {
  databaseUrl,
  eachStore,
  ok,
  type Result,
  run,
  type Store,
  start,
  withPgliteStore,
  withStore,
  serve,
  API_KEY,
  stop
} from "./support/Cli.js"

const KEY = API_KEY

// What differs between two stores with the same history: times, ids and positions.
const normalize = (text: string): string =>
  text
    .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, "<time>")
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>")
    .replace(/"(globalPosition|transactionId)": \d+/g, '"$1": 0')

const outcome = (result: Result) => ({ code: result.code, stdout: normalize(result.stdout), stderr: result.stderr })

const sha256 = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex")

/** Every file under `root`, by its path inside it. */
const tree = (root: string): ReadonlyArray<string> =>
  (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as Array<fs.Dirent>)
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort()

/** Changes one byte of a stored blob where the served store keeps it (the blob directory, or the database). */
const corrupt = async (served: Store, digest: string) => {
  const schema = served.env.REGISTRAR_SCHEMA
  if (schema === undefined) {
    const file = path.join(served.dataDir, "blobs", digest.slice(0, 2), digest)
    const bytes = fs.readFileSync(file)
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff
    fs.writeFileSync(file, bytes)
    return
  }
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const changed = await client.query(
      `UPDATE "${schema}".blob_chunks SET data = set_byte(data, 0, 255 - get_byte(data, 0))
        WHERE (upload_id, n) = (SELECT upload_id, 0 FROM "${schema}".blobs WHERE sha256 = $1)`,
      [digest]
    )
    expect(changed.rowCount).toBe(1)
  } finally {
    await client.end()
  }
}

const ORG = "smle-registries-bug-bash"
const ARTIFACT = "smle-reg-team-1/registry_quickstart/remote_files"
const COLLECTION = `${ORG}/wandb-registry-Remote Files/shards`

eachStore("files through the remote CLI", (fresh) => {
  it(
    "uploads on log, downloads a linked version into the same bytes, and leaves nothing when a blob is corrupt",
    () =>
      withStore(fresh, (served) =>
        withStore(fresh, async (local) => {
          const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "registrar-remote-files-"))
          const files = path.join(scratch, "files")
          fs.mkdirSync(path.join(files, "nested"), { recursive: true })
          fs.writeFileSync(path.join(files, "labels.csv"), "id,label\n1,cat\n2,dog\n")
          // Several megabytes: many chunks each way, and many PostgreSQL blob chunks.
          fs.writeFileSync(path.join(files, "nested", "shard-0.bin"), randomBytes(3 * 1024 * 1024 + 17))
          fs.writeFileSync(path.join(files, "empty.txt"), "")
          const bobKey = KEY.exec(await ok(served, "api-key", "create", "--user", "bob"))?.[0]
          const carolKey = KEY.exec(await ok(served, "api-key", "create", "--user", "carol"))?.[0]
          await ok(local, "api-key", "create", "--user", "bob")
          expect(bobKey).toBeDefined()
          const server = await serve(served)
          try {
            const remote: Store = {
              name: "remote",
              dataDir: scratch,
              env: { REGISTRAR_SERVER: server.url, REGISTRAR_API_KEY: bobKey!, XDG_CONFIG_HOME: scratch }
            }
            const both = async (...args: ReadonlyArray<string>) => {
              const there = await run(remote, ...args)
              const here = await run(local, ...args, "--as", "bob")
              expect(outcome(there), `registrar ${args.join(" ")}`).toStrictEqual(outcome(here))
              return there
            }

            // Log: every file uploaded, the same manifest and output as on the local store; again is a no-op.
            const logged = await both("artifact", "log", ARTIFACT, "--type", "dataset", "--dir", files, "--json")
            expect(logged.code, logged.stderr).toBe(0)
            const manifest = JSON.parse(logged.stdout).files as ReadonlyArray<{ path: string; sha256: string }>
            expect(manifest.map((file) => file.path)).toStrictEqual(["empty.txt", "labels.csv", "nested/shard-0.bin"])
            for (const file of manifest) expect(file.sha256).toBe(sha256(path.join(files, file.path)))
            const again = await both("artifact", "log", ARTIFACT, "--type", "dataset", "--dir", files)
            expect(again.stderr).toContain(`Identical content: ${ARTIFACT}:v0 is the newest version already.`)
            expect((await both("artifact", "log", ARTIFACT, "--type", "dataset", "--file", "missing.bin")).code).toBe(1)

            // Link, then download remotely: the same output as locally, the same bytes as logged.
            await both("registry", "create", "Remote Files", "--org", ORG, "--type", "dataset")
            await both("collection", "create", COLLECTION, "--type", "dataset")
            expect((await both("link", `${ARTIFACT}:v0`, COLLECTION)).code).toBe(0)
            const thereTo = path.join(scratch, "out")
            const hereTo = path.join(local.dataDir, "out")
            const there = await run(remote, "artifact", "download", `${COLLECTION}:v0`, "--to", thereTo)
            const here = await run(local, "artifact", "download", `${COLLECTION}:v0`, "--to", hereTo, "--as", "bob")
            expect(there.code, there.stderr).toBe(0)
            expect({ ...outcome(there), stdout: there.stdout.replace(thereTo, "<to>") }).toStrictEqual({
              ...outcome(here),
              stdout: here.stdout.replace(hereTo, "<to>")
            })
            expect(there.stdout).toContain("(3 files, every sha256 checked)")
            expect(tree(path.join(scratch, "out"))).toStrictEqual(tree(files))
            for (const file of tree(files)) {
              expect(
                fs.readFileSync(path.join(scratch, "out", file)).equals(fs.readFileSync(path.join(files, file))),
                file
              ).toBe(true)
            }
            const asJson = await run(remote, "artifact", "download", `${COLLECTION}:latest`, "--to", "again", "--json")
            expect(asJson.code, asJson.stderr).toBe(0)
            expect(JSON.parse(asJson.stdout)).toMatchObject({ name: "wandb-registry-Remote Files/shards:v0" })

            // A source version: its team's member downloads it as on the local store; carol, outside the team, is
            // refused with the typed error and nothing is written.
            const sourceThere = await run(remote, "artifact", "download", `${ARTIFACT}:v0`, "--to", "from-source")
            const sourceHereTo = path.join(local.dataDir, "from-source")
            const sourceHere = await run(
              local,
              "artifact",
              "download",
              `${ARTIFACT}:v0`,
              "--to",
              sourceHereTo,
              "--as",
              "bob"
            )
            expect(sourceThere.code, sourceThere.stderr).toBe(0)
            expect({
              ...outcome(sourceThere),
              stdout: sourceThere.stdout.replace("from-source", "<to>")
            }).toStrictEqual({
              ...outcome(sourceHere),
              stdout: sourceHere.stdout.replace(sourceHereTo, "<to>")
            })
            expect(tree(path.join(scratch, "from-source"))).toStrictEqual(tree(files))
            const asCarol: Store = { ...remote, env: { ...remote.env, REGISTRAR_API_KEY: carolKey! } }
            const refused = await run(asCarol, "artifact", "download", `${ARTIFACT}:v0`, "--to", "carol-out")
            expect(refused.code).not.toBe(0)
            expect(refused.stderr).toContain(`User "carol" cannot read the files of ${ARTIFACT}:v0`)
            expect(fs.existsSync(path.join(scratch, "carol-out"))).toBe(false)

            // A corrupt blob on the server: the download fails in one line and leaves nothing behind.
            const shard = manifest.find((file) => file.path === "nested/shard-0.bin")!
            await corrupt(served, shard.sha256)
            const broken = await run(remote, "artifact", "download", `${COLLECTION}:v0`, "--to", "broken")
            expect(broken.code).toBe(1)
            expect(broken.stderr).toContain(`"nested/shard-0.bin" did not arrive intact from ${server.url}`)
            expect(broken.stderr).not.toContain("    at ")
            expect(fs.existsSync(path.join(scratch, "broken"))).toBe(false)
            expect(fs.readdirSync(scratch).filter((name) => name.includes("registrar-partial"))).toStrictEqual([])
            // The key never reached the output or the server's log.
            expect(server.output()).not.toContain(bobKey!)
          } finally {
            await stop(server.child)
            fs.rmSync(scratch, { recursive: true, force: true })
          }
        })
      ),
    420_000
  )
})

describe("files through the remote CLI, streamed", () => {
  it(
    "logs and downloads a file larger than the CLI's peak memory (embedded store)",
    () =>
      withPgliteStore(async (served) => {
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "registrar-remote-large-"))
        // Each command writes its peak resident memory when it exits.
        const peakFile = path.join(scratch, "peak.txt")
        const hook = path.join(scratch, "peak.cjs")
        fs.writeFileSync(
          hook,
          `process.on("exit", () => require("node:fs").appendFileSync(${JSON.stringify(peakFile)}, process.resourceUsage().maxRSS * 1024 + "\\n"))`
        )
        const SIZE = 256 * 1024 * 1024
        const big = path.join(scratch, "big.bin")
        const hash = createHash("sha256")
        const block = randomBytes(1024 * 1024)
        const out = fs.openSync(big, "w")
        for (let i = 0; i < SIZE / block.length; i++) {
          block[0] = i & 0xff
          hash.update(block)
          fs.writeSync(out, block)
        }
        fs.closeSync(out)
        const digest = hash.digest("hex")
        const bobKey = KEY.exec(await ok(served, "api-key", "create", "--user", "bob"))?.[0]
        // A server with a smaller upload limit refuses the file with its typed error; nothing is logged.
        const strict = start(served, ["serve", "--port", "0", "--upload-limit-mib", "1"])
        strict.stdin?.end()
        const strictUrl = await new Promise<string>((resolve, reject) => {
          let output = ""
          strict.stdout?.on("data", (chunk) => {
            output += chunk.toString()
            const match = /Listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
            if (match !== null) resolve(match[1]!)
          })
          strict.on("exit", (code) => reject(new Error(`serve exited with ${code}:\n${output}`)))
        })
        try {
          const refused = await run(
            {
              name: "remote",
              dataDir: scratch,
              env: { REGISTRAR_SERVER: strictUrl, REGISTRAR_API_KEY: bobKey!, XDG_CONFIG_HOME: scratch }
            },
            "artifact",
            "log",
            `${ARTIFACT}-too-big`,
            "--type",
            "dataset",
            "--file",
            big
          )
          expect(refused.code).toBe(1)
          expect(refused.stderr).toContain(`larger than this server accepts (${1024 * 1024} bytes)`)
        } finally {
          await stop(strict)
        }
        const server = await serve(served)
        try {
          const remote: Store = {
            name: "remote",
            dataDir: scratch,
            env: {
              REGISTRAR_SERVER: server.url,
              REGISTRAR_API_KEY: bobKey!,
              XDG_CONFIG_HOME: scratch,
              NODE_OPTIONS: `--require ${hook}`
            }
          }
          const peaks = () => fs.readFileSync(peakFile, "utf8").trim().split("\n").map(Number)
          const logged = await run(remote, "artifact", "log", ARTIFACT, "--type", "dataset", "--file", big, "--json")
          expect(logged.code, logged.stderr).toBe(0)
          expect(JSON.parse(logged.stdout).files).toStrictEqual([{ path: "big.bin", sha256: digest, size: SIZE }])
          await ok(remote, "registry", "create", "Remote Files", "--org", ORG, "--type", "dataset")
          await ok(remote, "collection", "create", COLLECTION, "--type", "dataset")
          await ok(remote, "link", `${ARTIFACT}:v0`, COLLECTION)
          const to = path.join(scratch, "out")
          const downloaded = await run(remote, "artifact", "download", `${COLLECTION}:v0`, "--to", to)
          expect(downloaded.code, downloaded.stderr).toBe(0)
          expect(fs.statSync(path.join(to, "big.bin")).size).toBe(SIZE)
          const back = createHash("sha256")
          for await (const chunk of fs.createReadStream(path.join(to, "big.bin"))) back.update(chunk as Buffer)
          expect(back.digest("hex")).toBe(digest)
          // Every command stayed well under the file's size: nothing held it whole.
          const measured = peaks()
          expect(measured.length).toBe(5)
          for (const peak of measured) expect(peak).toBeLessThan(SIZE * 0.75)
        } finally {
          await stop(server.child)
          fs.rmSync(scratch, { recursive: true, force: true })
        }
      }),
    420_000
  )

  it("refuses to log when the server stores another digest than the one sent", async () => {
    // A server whose storage changes bytes: it answers every upload with a digest of other content.
    const requests: Array<string> = []
    const broken = http.createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`)
      let size = 0
      request.on("data", (chunk: Buffer) => {
        size += chunk.length
      })
      request.on("end", () => {
        const answer =
          request.url === "/me"
            ? { status: 200, body: { user: "bob" } }
            : { status: 201, body: { sha256: "0".repeat(64), size } }
        response.writeHead(answer.status, { "content-type": "application/json" })
        response.end(JSON.stringify(answer.body))
      })
    })
    await new Promise<void>((resolve) => broken.listen(0, "127.0.0.1", resolve))
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "registrar-remote-broken-"))
    try {
      const file = path.join(scratch, "labels.csv")
      fs.writeFileSync(file, "id,label\n1,cat\n")
      const { port } = broken.address() as { port: number }
      const remote: Store = {
        name: "remote",
        dataDir: scratch,
        env: {
          REGISTRAR_SERVER: `http://127.0.0.1:${port}`,
          REGISTRAR_API_KEY: `rk_00000000_${"2".repeat(64)}`,
          XDG_CONFIG_HOME: scratch
        }
      }
      const refused = await run(remote, "artifact", "log", ARTIFACT, "--type", "dataset", "--file", file)
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain(`"${file}" did not arrive intact at http://127.0.0.1:${port}`)
      expect(refused.stderr).toContain(`sent 15 bytes with sha256 ${sha256(file)}`)
      expect(requests).toStrictEqual(["GET /me", "POST /blobs"])
    } finally {
      broken.close()
      fs.rmSync(scratch, { recursive: true, force: true })
    }
  })
})
