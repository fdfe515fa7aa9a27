/**
 * The remote CLI end to end: the real binary against a real `registrar serve` on a free port (on the embedded store,
 * and on the PostgreSQL server). `login` keeps the key in a 0600 file and never prints it, and a command with the
 * stored login sends only its own request (a key from the environment asks `GET /me` first); every main command prints
 * the same output and exits with the same code against the server as the same command on a local copy of the store;
 * governance too (promote with a stale --expect, alias and version history, tags, diff, revert --dry-run and real);
 * `--as` is refused; wrong and revoked keys fail with the server's message; `--server`, `$REGISTRAR_SERVER`,
 * `$REGISTRAR_API_KEY`, the stored login and the local store options take precedence as documented.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { expect, it } from "vitest"
import {
  eachStore,
  finished,
  ok,
  type Result,
  run,
  type Store,
  start,
  withStore,
  serve,
  API_KEY,
  stop
} from "./support/Cli.js"

const KEY = API_KEY

/** Runs the binary with `args`, `stdin` written to it. */
const runWithInput = (store: Store, args: ReadonlyArray<string>, stdin: string): Promise<Result> => {
  const child = start(store, args)
  child.stdin?.end(stdin)
  return finished(child)
}

/**
 * What may differ between two stores holding the same history: times, hashes, event ids, and global positions
 * (the served store has the bootstrap's events too).
 */
const normalize = (text: string): string =>
  text
    .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, "<time>")
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>")
    .replace(/\b[0-9a-f]{12,64}\b/g, "<hex>")
    .replace(/"(globalPosition|transactionId)": \d+/g, '"$1": 0')
    .replace(/^\d+(\s)/gm, "<n>$1")

// A JSON document is compared as a value (the order of an object's keys means nothing), text as text.
const asValue = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** The paths of the requests in a slice of the server's request log, in order. */
const requestPaths = (log: string): Array<string> => [...log.matchAll(/path=\S+/g)].map(String)

const outcome = (result: Result) => ({
  code: result.code,
  stdout: asValue(normalize(result.stdout)),
  stderr: normalize(result.stderr)
})

const ORG = "smle-registries-bug-bash"
const COLLECTION = `${ORG}/wandb-registry-Remote Data/imgs`
const SOURCE = "smle-reg-team-1/registry_quickstart/raw_images:v0"

/** Commands compared after the as-of check: they unlink, rename and delete what it reads. */
const laterScenario: ReadonlyArray<ReadonlyArray<string>> = [
  ["unlink", `${COLLECTION}:v0`],
  ["unlink", `${COLLECTION}:v0`],
  ["collection", "rename", COLLECTION, "imgs2"],
  ["collection", "delete", `${ORG}/wandb-registry-Remote Data/imgs2`],
  ["registry", "rename", "Remote Data", "Remote Archive", "--org", ORG],
  ["registry", "show", "Remote Archive", "--org", ORG, "--json"],
  ["registry", "show", "Remote Data", "--org", ORG]
]

/** The commands compared, in order: writes, reads, and failures. */
const scenario: ReadonlyArray<ReadonlyArray<string>> = [
  ["registry", "create", "Remote Data", "--org", ORG, "--type", "dataset", "--description", "over HTTP"],
  ["registry", "create", "Remote Data", "--org", ORG, "--type", "dataset"],
  ["collection", "create", COLLECTION, "--type", "dataset", "--tag", "remote"],
  ["link", SOURCE, COLLECTION, "--alias", "staging"],
  ["link", SOURCE, COLLECTION, "--alias", "staging"],
  ["link", SOURCE, COLLECTION, "--json"],
  ["alias", "add", `${COLLECTION}:v0`, "production"],
  ["alias", "add", `${COLLECTION}:v7`, "production"],
  ["resolve", `${COLLECTION}:production`],
  ["resolve", "wandb-registry-Golden Datasets/raw_images:production", "--json"],
  ["resolve", `${COLLECTION}:v9`],
  ["resolve", "wandb-registry-Nowhere/imgs"],
  ["resolve", "not a path"],
  ["lineage", `${COLLECTION}:v0`],
  ["lineage", `${COLLECTION}:v0`, "--format", "mermaid"],
  ["history", "--org", ORG, "--registry", "Remote Data"],
  ["history", "--org", ORG, "--registry", "Remote Data", "--json"],
  ["history", "--org", ORG, "--registry", "Remote Data", "--limit", "2"],
  ["search", "imgs", "--org", ORG],
  ["search", "", "--json"],
  ["registry", "list", "--org", ORG],
  ["registry", "show", "Remote Data", "--org", ORG],
  ["collection", "list", "Remote Data", "--org", ORG],
  ["collection", "show", COLLECTION, "--metrics"],
  ["collection", "update", COLLECTION, "--description", "camera images", "--tag", "raw"],
  ["alias", "remove", `${COLLECTION}:v0`, "staging"],
  ["alias", "remove", `${COLLECTION}:v0`, "latest"],
  ["registry", "update", "Remote Data", "--org", ORG, "--description", "images over HTTP"],
  ["org", "create", "remote-org", "--display-name", "Remote Org"],
  ["org", "create", "remote-org", "--display-name", "Another Name"],
  ["resolve", "wandb-registry-Golden Datasets/raw_images:production"]
]

const MODELS = `${ORG}/wandb-registry-Remote Models/zoo`
const ZOO_SOURCE = "smle-reg-team-1/registry_quickstart/zoo-classifier"

/** Governance commands compared, in order (bob administers the registry he creates). */
const governanceScenario: ReadonlyArray<ReadonlyArray<string>> = [
  ["registry", "create", "Remote Models", "--org", ORG, "--type", "model"],
  ["collection", "create", MODELS, "--type", "model"],
  ["link", `${ZOO_SOURCE}:v0`, MODELS, "--alias", "staging"],
  ["link", `${ZOO_SOURCE}:v1`, MODELS],
  ["promote", "--set", `${MODELS}:staging=v1`, "--set", `${MODELS}:production=v1`, "--expect", `${MODELS}:staging=v0`],
  // A stale compare-and-set: nothing moves, and the error says what moved.
  ["promote", "--set", `${MODELS}:staging=v0`, "--expect", `${MODELS}:staging=v0`],
  ["promote", "--set", `${MODELS}:staging=v0`, "--expect", `${MODELS}:staging=v0`, "--json"],
  // The organization is optional, as everywhere.
  ["promote", "--set", "wandb-registry-Remote Models/zoo:candidate=v0", "--json"],
  ["promote", "--set", "wandb-registry-Remote Models/zoo:candidate=v0"],
  ["promote", "--set", "not a promotion"],
  ["promote", "--set", `${MODELS}:staging=v9`],
  ["history", "--alias", "staging", "--registry", "Remote Models", "--org", ORG],
  ["history", "--alias", "production", "--registry", "wandb-registry-Remote Models", "--collection", "zoo", "--json"],
  ["history", "--alias", "never", "--registry", "Remote Models"],
  ["history", "--alias", "staging", "--registry", "Nowhere"],
  ["artifact", "tag", "add", `${MODELS}:v1`, "reviewed"],
  ["artifact", "tag", "add", `${ZOO_SOURCE}:v0`, "reviewed", "--json"],
  ["artifact", "tag", "remove", `${MODELS}:v1`, "reviewed"],
  ["artifact", "tag", "remove", `${MODELS}:v1`, "gold"],
  ["history", `${MODELS}:v1`],
  ["history", `${MODELS}:v0`, "--json"],
  ["history", "wandb-registry-Remote Models/zoo:v7"],
  ["collection", "show", MODELS, "--json"]
]

eachStore("the remote CLI", (fresh) => {
  it(
    "logs in (0600, key never printed) and answers every main command as the local store does",
    () =>
      withStore(fresh, (served) =>
        withStore(fresh, async (local) => {
          const config = fs.mkdtempSync(path.join(os.tmpdir(), "registrar-remote-config-"))
          const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "registrar-remote-cwd-"))
          // Both stores get the same key events, so that their histories match but for the server's bootstrap.
          const bobKey = KEY.exec(await ok(served, "api-key", "create", "--user", "bob", "--name", "laptop"))?.[0]
          const spareKey = KEY.exec(await ok(served, "api-key", "create", "--user", "bob", "--name", "spare"))?.[0]
          await ok(local, "api-key", "create", "--user", "bob", "--name", "laptop")
          await ok(local, "api-key", "create", "--user", "bob", "--name", "spare")
          expect(bobKey).toBeDefined()
          const server = await serve(served)
          try {
            const adminKey = KEY.exec(server.output())?.[0]
            expect(adminKey).toBeDefined()
            // Remote commands: no local store option anywhere, the login in a config directory of their own.
            const remote: Store = { name: "remote", dataDir: elsewhere, env: { XDG_CONFIG_HOME: config } }

            // login: a wrong key is refused and stores nothing; the right one is checked, stored 0600, never printed.
            const refused = await runWithInput(remote, ["login", server.url], `rk_00000000_${"0".repeat(64)}\n`)
            expect(refused.code).toBe(1)
            expect(refused.stderr).toContain("The API key is unknown, revoked, or mistyped")
            expect(fs.existsSync(path.join(config, "registrar", "login.json"))).toBe(false)
            const login = await runWithInput(remote, ["login", `${server.url}/`], `${bobKey}\n`)
            expect(login.code, login.stderr).toBe(0)
            expect(login.stdout).toContain(`Logged in to ${server.url} as bob`)
            expect(login.stdout + login.stderr).not.toContain(bobKey!)
            const file = path.join(config, "registrar", "login.json")
            expect(fs.statSync(file).mode & 0o777).toBe(0o600)
            expect(JSON.parse(fs.readFileSync(file, "utf8"))).toStrictEqual({
              server: server.url,
              key: bobKey,
              user: "bob"
            })

            // The stored login knows its key's user, so a command sends its own request only; a key from the
            // environment, whose user no login stored, is asked about first (GET /me).
            const golden = "wandb-registry-Golden Datasets/raw_images:production"
            const requestsOfResolve = async (store: Store) => {
              const before = server.output().length
              await ok(store, "resolve", golden)
              const logged = () => requestPaths(server.output().slice(before))
              // The request log's line is written as the answer goes out: wait for it to cross the pipe.
              for (let waited = 0; !logged().includes("path=/resolve") && waited < 5_000; waited += 20) {
                await new Promise((resolve) => setTimeout(resolve, 20))
              }
              return logged()
            }
            expect(await requestsOfResolve(remote)).toEqual(["path=/resolve"])
            const byEnvironment: Store = { ...remote, env: { ...remote.env, REGISTRAR_API_KEY: spareKey! } }
            expect(await requestsOfResolve(byEnvironment)).toEqual(["path=/me", "path=/resolve"])

            // Governance: promote (a stale --expect included), alias and version history, tags, then diff and
            // revert from each store's own position of the first link into the registry.
            const refusedHere: Array<string> = []
            for (const args of governanceScenario) {
              const there = await run(remote, ...args)
              const here = await run(local, ...args, "--as", "bob")
              expect(outcome(there), `registrar ${args.join(" ")}`).toStrictEqual(outcome(here))
              expect(there.stderr).not.toContain("not available against a server")
              if (there.code !== 0) refusedHere.push(`${args.join(" ")} → ${there.stderr.split("\n")[0]}`)
            }
            const refusedExpected = [
              ["promote", "Nothing was promoted"],
              ["promote", ""],
              ["promote", "names no version"],
              ["promote", "does not exist"],
              ["history", "Nowhere"],
              ["artifact", 'has no tag "gold"'],
              ["history", "v7"]
            ]
            expect(refusedHere.length, refusedHere.join("\n")).toBe(refusedExpected.length)
            for (const [index, [command, message]] of refusedExpected.entries()) {
              expect(refusedHere[index]).toMatch(new RegExp(`^${command} .*→.*${message}`))
            }
            const stale = await run(remote, ...governanceScenario[5]!)
            expect(stale.code).toBe(1)
            expect(stale.stderr).toContain("Nothing was promoted")
            const firstLink = async (store: Store, extra: ReadonlyArray<string>) => {
              const moves = JSON.parse(
                await ok(store, "history", "--alias", "staging", "--registry", "Remote Models", "--json", ...extra)
              ) as { moves: ReadonlyArray<{ globalPosition: number }> }
              return String(moves.moves[0]!.globalPosition)
            }
            const pointRemote = await firstLink(remote, [])
            const pointLocal = await firstLink(local, ["--as", "bob"])
            const governanceAt = (point: string): ReadonlyArray<ReadonlyArray<string>> => [
              ["diff", "Remote Models", "--org", ORG, "--from", point],
              ["diff", "Remote Models", "--from", point, "--json"],
              ["diff", "wandb-registry-Remote Models", "--from", point, "--to", point, "--json"],
              ["diff", "Nowhere", "--from", point],
              ["revert", "Remote Models", "--to", point, "--dry-run"],
              ["revert", "Remote Models", "--to", point, "--dry-run", "--json"],
              ["revert", "Remote Models", "--org", ORG, "--to", point, "--json"],
              ["revert", "Remote Models", "--to", point, "--json"],
              ["diff", "Remote Models", "--from", point, "--json"],
              ["collection", "show", MODELS, "--json"]
            ]
            const remoteAt = governanceAt(pointRemote)
            const localAt = governanceAt(pointLocal)
            const answers: Array<string> = []
            for (const [index, args] of remoteAt.entries()) {
              const there = await run(remote, ...args)
              const here = await run(local, ...localAt[index]!, "--as", "bob")
              expect(outcome(there), `registrar ${args.join(" ")}`).toStrictEqual(outcome(here))
              expect(there.code, `registrar ${args.join(" ")}: ${there.stderr}`).toBe(args[1] === "Nowhere" ? 1 : 0)
              answers.push(there.stdout)
            }
            type Changes = { changes: ReadonlyArray<{ change: string; subject: string }> }
            const subjects = (answer: string) => (JSON.parse(answer) as Changes).changes.map((change) => change.subject)
            // The diff sees the second link and the aliases moved since; from a point to itself, nothing.
            expect(subjects(answers[1]!)).toEqual(expect.arrayContaining(["zoo:v1", "zoo:staging", "zoo:production"]))
            expect(subjects(answers[2]!)).toEqual([])
            // The dry run plans and writes nothing; the revert applies once, then finds nothing left to do.
            expect(JSON.parse(answers[5]!)).toMatchObject({ applied: false })
            expect(JSON.parse(answers[5]!).steps.length).toBeGreaterThan(0)
            expect(JSON.parse(answers[6]!)).toMatchObject({ applied: true })
            expect(JSON.parse(answers[7]!)).toMatchObject({ applied: false, steps: [] })
            expect(subjects(answers[8]!)).toEqual([])
            const shown = JSON.parse(answers[9]!) as {
              versions: ReadonlyArray<{ index: number; aliases: ReadonlyArray<string> }>
            }
            expect(shown.versions.find((version) => version.index === 0)?.aliases).toContain("staging")

            // The same commands, remote (as the key's user) and local (--as bob), print the same and exit the same.
            let failures = 0
            for (const args of scenario) {
              const there = await run(remote, ...args)
              const here = await run(local, ...args, "--as", "bob")
              expect(outcome(there), `registrar ${args.join(" ")}`).toStrictEqual(outcome(here))
              if (there.code !== 0) failures++
            }
            expect(failures, "the scenario covers failures too").toBeGreaterThanOrEqual(5)

            // As of a past position: before the alias was added, each store by its own position.
            const positionBefore = async (store: Store, extra: ReadonlyArray<string>) => {
              const rows = JSON.parse(
                (await ok(store, "history", "--org", ORG, "--registry", "Remote Data", "--json", ...extra)).trim()
              ) as ReadonlyArray<{ globalPosition: number; summary: string }>
              const aliased = rows.find((row) => row.summary.includes("production"))
              expect(aliased, JSON.stringify(rows)).toBeDefined()
              return String(aliased!.globalPosition - 1)
            }
            const thenRemote = await run(
              remote,
              "resolve",
              `${COLLECTION}:v0`,
              "--as-of",
              await positionBefore(remote, [])
            )
            const thenLocal = await run(
              local,
              "resolve",
              `${COLLECTION}:v0`,
              "--as-of",
              await positionBefore(local, ["--as", "bob"]),
              "--as",
              "bob"
            )
            expect(thenRemote.code, thenRemote.stderr).toBe(0)
            expect(thenRemote.stdout).toMatch(/Aliases:\s+latest, staging\n/)
            expect(outcome(thenRemote)).toStrictEqual(outcome(thenLocal))
            for (const args of laterScenario) {
              const there = await run(remote, ...args)
              const here = await run(local, ...args, "--as", "bob")
              expect(outcome(there), `registrar ${args.join(" ")}`).toStrictEqual(outcome(here))
            }

            // --as is refused: the actor is the key's user.
            const as = await run(remote, "resolve", `${COLLECTION}:v0`, "--as", "alice")
            expect(as.code).toBe(1)
            expect(as.stderr).toContain(`--as "alice" cannot be used against the server ${server.url}`)

            // A source version's files download for a member of its team (bob), every sha256 checked; who may not read
            // them is refused (RemoteFiles.test.ts).
            const download = await run(remote, "artifact", "download", SOURCE, "--to", "out")
            expect(download.code, download.stderr).toBe(0)
            expect(download.stdout).toContain(`Downloaded ${SOURCE} to out`)
            expect(download.stdout).toContain("every sha256 checked")
            expect(fs.readdirSync(path.join(elsewhere, "out")).length).toBeGreaterThan(0)

            // A wrong key, and a revoked one, fail with the server's message and never show the key.
            const wrongKey = `rk_00000000_${"1".repeat(64)}`
            const wrong = await run({ ...remote, env: { ...remote.env, REGISTRAR_API_KEY: wrongKey } }, "search", "")
            expect(wrong.code).toBe(1)
            expect(wrong.stderr).toContain("The API key is unknown, revoked, or mistyped")
            expect(wrong.stderr).toContain("registrar login URL")
            expect(wrong.stderr + wrong.stdout).not.toContain(wrongKey)
            const spare = { ...remote, env: { ...remote.env, REGISTRAR_API_KEY: spareKey! } }
            expect((await run(spare, "search", "", "--org", ORG)).code).toBe(0)
            const revoked = await fetch(`${server.url}/api-keys/${spareKey!.slice(3, 11)}`, {
              method: "DELETE",
              headers: { authorization: `Bearer ${spareKey}` }
            })
            expect(revoked.status).toBe(200)
            const afterRevoke = await run(spare, "search", "", "--json")
            expect(afterRevoke.code).toBe(1)
            expect(JSON.parse(afterRevoke.stdout).error.code).toBe("Unauthorized")

            // No command above opened a local store where it ran.
            expect(fs.existsSync(path.join(elsewhere, ".registrar"))).toBe(false)

            // Precedence. $REGISTRAR_API_KEY beats the stored key (the admin is in no organization).
            const asAdmin = await run(
              { ...remote, env: { ...remote.env, REGISTRAR_API_KEY: adminKey! } },
              "resolve",
              "wandb-registry-Golden Datasets/raw_images:production"
            )
            expect(asAdmin.code).toBe(1)
            expect(asAdmin.stderr).toContain('"admin" belongs to no organization')
            // $REGISTRAR_SERVER beats the stored login, and the stored key is not sent to another server.
            const otherServer = await run(
              { ...remote, env: { ...remote.env, REGISTRAR_SERVER: "http://127.0.0.1:9" } },
              "search",
              ""
            )
            expect(otherServer.code).toBe(1)
            expect(otherServer.stderr).toContain("No API key for the server http://127.0.0.1:9")
            // --server with $REGISTRAR_API_KEY beats the local store of the environment.
            const explicit = await run(
              { ...local, env: { ...local.env, REGISTRAR_API_KEY: bobKey! } },
              "search",
              "Remote",
              "--org",
              ORG,
              "--server",
              server.url
            )
            expect(explicit.code, explicit.stderr).toBe(0)
            expect(explicit.stdout).toContain("wandb-registry-Remote Archive")
            // A local store option beats the stored login: --memory is an empty store, where bob does not exist.
            const memory = await run(remote, "search", "", "--memory", "--as", "bob")
            expect(memory.code).toBe(1)
            expect(memory.stderr).not.toContain(server.url)
            // An unreachable server is a one-line error, not a stack trace.
            const down = await run(
              { ...remote, env: { ...remote.env, REGISTRAR_API_KEY: bobKey! } },
              "search",
              "",
              "--server",
              "http://127.0.0.1:9"
            )
            expect(down.code).toBe(1)
            expect(down.stderr).toMatch(/^Error: Cannot reach the Registrar server at http:\/\/127\.0\.0\.1:9 \(.+\)\./)
            expect(down.stderr).not.toContain("    at ")

            // logout forgets the login; the request log never showed a key.
            const logout = await run(remote, "logout")
            expect(logout.stdout).toContain(`Logged out of ${server.url}`)
            expect(fs.existsSync(file)).toBe(false)
            expect(server.output()).not.toContain(bobKey!)
            expect(server.output()).not.toContain(spareKey!)
          } finally {
            await stop(server.child)
            fs.rmSync(config, { recursive: true, force: true })
            fs.rmSync(elsewhere, { recursive: true, force: true })
          }
        })
      ),
    900_000
  )
})
