/**
 * `registrar api-key create|list|revoke` against a server: the real binary and a real `registrar serve` on a free
 * port. Over the API a user manages their own keys (the user is the signing key's, and `--user` defaults to it), and
 * the instance admin any user's, so that a running server on the embedded store can give a new user a key; anyone
 * else naming another user is refused. A key made remotely authenticates at once, a revoked one no more; no command
 * prints a secret it was not asked to show, and the server's log holds none. On the store, `--user` or the acting
 * user names whose keys.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { expect, it } from "vitest"
import { API_KEY, ok, run, type Store, serve, withPgliteStore, stop } from "./support/Cli.js"

/** The eight hex digits after `rk_`: what `api-key list` shows and `revoke` takes. */
const prefixOf = (key: string): string => key.slice(3, 11)

it(
  "manages a user's own API keys over the server, and any user's on the store",
  () =>
    withPgliteStore(async (local) => {
      // On the store: --user, else the acting user; neither is an error that says how to give one.
      const bobKey = API_KEY.exec(await ok(local, "api-key", "create", "--user", "bob", "--name", "laptop"))?.[0]
      expect(bobKey).toBeDefined()
      const nobody = await run(local, "api-key", "list")
      expect(nobody.code).not.toBe(0)
      expect(nobody.stderr).toContain("No user to act as")
      expect(await ok(local, "api-key", "list", "--as", "bob")).toContain("laptop")

      const server = await serve(local)
      const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "registrar-keys-cwd-"))
      const config = fs.mkdtempSync(path.join(os.tmpdir(), "registrar-keys-config-"))
      const as = (key: string): Store => ({
        name: "remote",
        dataDir: elsewhere,
        env: { XDG_CONFIG_HOME: config, REGISTRAR_SERVER: server.url, REGISTRAR_API_KEY: key }
      })
      try {
        const bob = as(bobKey!)
        // A second key of bob's, made over the API: printed once, different from the first, and it signs in.
        const created = await run(bob, "api-key", "create", "--name", "ci")
        expect(created.code, created.stderr).toBe(0)
        expect(created.stdout).toContain('API key "ci" for bob (shown only now; store it)')
        const ciKey = API_KEY.exec(created.stdout)?.[0]
        expect(ciKey).toBeDefined()
        expect(ciKey).not.toBe(bobKey)
        const listed = JSON.parse(await ok(as(ciKey!), "api-key", "list", "--json")) as ReadonlyArray<{
          readonly prefix: string
          readonly name: string
          readonly revokedAt: string | null
        }>
        expect(listed.map((key) => [key.name, key.prefix, key.revokedAt])).toStrictEqual([
          ["laptop", prefixOf(bobKey!), null],
          ["ci", prefixOf(ciKey!), null]
        ])
        const table = await ok(bob, "api-key", "list")
        expect(table).toContain(prefixOf(ciKey!))
        for (const secret of [bobKey!, ciKey!].map((key) => key.slice(12))) expect(table).not.toContain(secret)

        // Another user's keys: refused with the library's message, nothing made.
        for (const args of [
          ["api-key", "create", "--user", "alice", "--name", "x"],
          ["api-key", "list", "--user", "alice"],
          ["api-key", "revoke", "--user", "alice", prefixOf(bobKey!)]
        ]) {
          const refused = await run(bob, ...args)
          expect(refused.code, args.join(" ")).toBe(1)
          expect(refused.stderr).toContain('User "bob" cannot manage the API keys of "alice"')
          expect(refused.stderr).toContain("registrar api-key create --user alice")
        }
        expect(JSON.parse(await ok(bob, "api-key", "list", "--json"))).toHaveLength(2)
        const actingAs = await run(bob, "api-key", "list", "--as", "alice")
        expect(actingAs.code).toBe(1)
        expect(actingAs.stderr).toContain(`--as "alice" cannot be used against the server ${server.url}`)

        // Revoked over the API: the key signs in no more; revoking again changes nothing.
        expect(await ok(bob, "api-key", "revoke", prefixOf(ciKey!))).toContain(
          `Revoked key ${prefixOf(ciKey!)} of bob.`
        )
        expect(await ok(bob, "api-key", "revoke", prefixOf(ciKey!))).toContain(
          `Key ${prefixOf(ciKey!)} was already revoked.`
        )
        const revoked = await run(as(ciKey!), "api-key", "list")
        expect(revoked.code).toBe(1)
        expect(revoked.stderr).toContain("The API key is unknown, revoked, or mistyped")
        const after = JSON.parse(await ok(bob, "api-key", "list", "--json")) as ReadonlyArray<{
          readonly revokedAt: string | null
        }>
        expect(after.map((key) => key.revokedAt === null)).toStrictEqual([true, false])

        // The instance admin gives alice a key while the server holds the store, lists and revokes it.
        const admin = as(API_KEY.exec(server.output())![0])
        const forAlice = await run(admin, "api-key", "create", "--user", "alice", "--name", "onboarding")
        expect(forAlice.code, forAlice.stderr).toBe(0)
        expect(forAlice.stdout).toContain('API key "onboarding" for alice')
        const aliceKey = API_KEY.exec(forAlice.stdout)![0]
        const alice = as(aliceKey)
        expect(await ok(alice, "api-key", "list")).toContain(prefixOf(aliceKey))
        expect(await ok(admin, "api-key", "list", "--user", "alice")).toContain("onboarding")
        expect(await ok(admin, "api-key", "revoke", "--user", "alice", prefixOf(aliceKey))).toContain(
          `Revoked key ${prefixOf(aliceKey)} of alice.`
        )
        expect((await run(alice, "api-key", "list")).stderr).toContain("The API key is unknown, revoked, or mistyped")

        // No remote command opened a store where it ran; the server's log holds none of the keys made.
        expect(fs.existsSync(path.join(elsewhere, ".registrar"))).toBe(false)
        for (const key of [bobKey!, ciKey!, aliceKey]) expect(server.output()).not.toContain(key.slice(12))
      } finally {
        await stop(server.child)
        fs.rmSync(elsewhere, { recursive: true, force: true })
        fs.rmSync(config, { recursive: true, force: true })
      }
    }),
  180_000
)
