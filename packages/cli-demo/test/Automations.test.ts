/**
 * `registrar automation` on the local store (the seeded demo, PGlite): a registry admin sets a secret from stdin,
 * creates, lists, shows, updates, disables, enables, tests and deletes an automation, and reads its history; a member
 * is refused; a template with an unknown variable is refused when saved; the secret's value is never printed.
 */
import { describe, expect, it } from "vitest"
import { finished, json, ok, run, start, type Store, withPgliteStore } from "./support/Cli.js"

const SECRETS = { REGISTRAR_SECRETS_KEY: "cli-test-secrets-key-0123456789abcdef" }
const SECRET_VALUE = "tok-very-secret-value"

const withKey = (store: Store): Store => ({ ...store, env: { ...store.env, ...SECRETS } })

const setSecret = async (store: Store, name: string, value: string) => {
  const child = start(store, ["automation", "secret", "set", name, "--registry", "Models", "--as", "alice"])
  const result = finished(child)
  child.stdin?.end(`${value}\n`)
  return result
}

type Automation = { name: string; enabled: boolean; filter: string | null; eventTypes: Array<string> }

describe("registrar automation (PGlite)", () => {
  it(
    "manages automations and secrets as the registry admin, never printing a secret",
    () =>
      withPgliteStore(async (plain) => {
        const s = withKey(plain)
        const set = await setSecret(s, "ci-token", SECRET_VALUE)
        expect(set.code, set.stderr).toBe(0)
        const created = await json<Automation>(
          s,
          "automation",
          "create",
          "deploy",
          "--registry",
          "Models",
          "--event",
          "ADD_ARTIFACT_ALIAS",
          "--filter",
          '{"alias": {"$regex": "^prod"}}',
          "--url",
          "https://ci.example.com/hooks/deploy",
          "--header",
          "Authorization=ci-token",
          "--signing-secret",
          "ci-token",
          "--as",
          "alice"
        )
        expect(created).toMatchObject({ name: "deploy", enabled: true, eventTypes: ["ADD_ARTIFACT_ALIAS"] })
        expect(
          (await json<Array<Automation>>(s, "automation", "list", "--registry", "Models", "--as", "alice")).map(
            (a) => a.name
          )
        ).toEqual(["deploy"])
        const shown = await ok(s, "automation", "show", "deploy", "--registry", "Models", "--as", "alice")
        expect(shown).toContain("Authorization (secret ci-token)")
        await ok(s, "automation", "disable", "deploy", "--registry", "Models", "--as", "alice")
        expect(
          (await json<Automation>(s, "automation", "show", "deploy", "--registry", "Models", "--as", "alice")).enabled
        ).toBe(false)
        await ok(s, "automation", "enable", "deploy", "--registry", "Models", "--as", "alice")
        const updated = await json<Automation>(
          s,
          "automation",
          "update",
          "deploy",
          "--registry",
          "Models",
          "--no-filter",
          "--event",
          "LINK_ARTIFACT",
          "--as",
          "alice"
        )
        expect(updated).toMatchObject({ enabled: true, filter: null, eventTypes: ["LINK_ARTIFACT"] })
        const queued = await json<{ deliveryId: string }>(
          s,
          "automation",
          "test",
          "deploy",
          "--registry",
          "Models",
          "--as",
          "alice"
        )
        const history = await json<Array<{ deliveryId: string; eventType: string; status: string }>>(
          s,
          "automation",
          "history",
          "deploy",
          "--registry",
          "Models",
          "--as",
          "alice"
        )
        // On a local store deliveries are queued; `registrar serve` on the store sends them.
        expect(history).toEqual([
          expect.objectContaining({ deliveryId: queued.deliveryId, eventType: "TEST", status: "pending" })
        ])

        const printed = [
          shown,
          await ok(s, "automation", "secret", "list", "--registry", "Models", "--as", "alice"),
          await ok(s, "automation", "history", "deploy", "--registry", "Models", "--json", "--as", "alice"),
          await ok(s, "history", "--json", "--as", "alice")
        ].join("\n")
        expect(printed).toContain("ci-token")
        expect(printed).not.toContain(SECRET_VALUE)

        await ok(s, "automation", "delete", "deploy", "--registry", "Models", "--as", "alice")
        expect(await json<Array<Automation>>(s, "automation", "list", "--registry", "Models", "--as", "alice")).toEqual(
          []
        )
      }),
    900_000
  )

  it(
    "refuses a member, an unknown template variable, and a secret without a key, saying what to do",
    () =>
      withPgliteStore(async (plain) => {
        const s = withKey(plain)
        const member = await run(s, "automation", "list", "--registry", "Models", "--as", "bob")
        expect(member.code).not.toBe(0)
        expect(member.stderr + member.stdout).toContain("admin")
        const unknown = await run(
          s,
          "automation",
          "create",
          "bad",
          "--registry",
          "Models",
          "--event",
          "LINK_ARTIFACT",
          "--url",
          "https://ci.example.com/hook",
          "--template",
          '{"v": "${artifact_verison}"}',
          "--as",
          "alice"
        )
        expect(unknown.code).not.toBe(0)
        expect(unknown.stderr + unknown.stdout).toContain("artifact_verison")
        const keyless = await setSecret({ ...plain, env: { ...plain.env, REGISTRAR_SECRETS_KEY: "" } }, "x", "value")
        expect(keyless.code).not.toBe(0)
        expect(keyless.stderr + keyless.stdout).toContain("REGISTRAR_SECRETS_KEY")
      }),
    900_000
  )
})
