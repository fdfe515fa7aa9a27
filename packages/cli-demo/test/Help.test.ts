import * as CliConfig from "@effect/cli/CliConfig"
import * as Descriptor from "@effect/cli/CommandDescriptor"
import * as HelpDoc from "@effect/cli/HelpDoc"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { command } from "../src/Cli.js"
import * as PgliteStart from "../src/PgliteStart.js"
import { plain, run, runScript, withPgliteStore } from "./support/Cli.js"

// The descriptor tree's shape (internal to @effect/cli): Map wrappers, Subcommands with a parent and children, and
// Standard commands.
type Node =
  | { readonly _tag: "Map"; readonly command: Node }
  | { readonly _tag: "Subcommands"; readonly parent: Node; readonly children: ReadonlyArray<Node> }
  | { readonly _tag: "Standard" | "GetUserInput"; readonly name: string }

const unwrap = (node: Node): Node => (node._tag === "Map" ? unwrap(node.command) : node)

const leaves = (node: Node, prefix: ReadonlyArray<string>): Array<[string, Node]> => {
  const inner = unwrap(node)
  if (inner._tag === "Subcommands") {
    const parent = unwrap(inner.parent)
    const name = parent._tag === "Standard" ? [...prefix, parent.name] : prefix
    return inner.children.flatMap((child) => leaves(child, name))
  }
  return inner._tag === "Map" ? [] : [[[...prefix, inner.name].slice(1).join(" "), inner]]
}

describe.concurrent("help", () => {
  it("every command has a description and an example", () => {
    const all = leaves(command.descriptor as unknown as Node, [])
    const names = all.map(([name]) => name).sort()
    expect(names).toEqual(
      expect.arrayContaining([
        "org create",
        "user create",
        "team create",
        "team add-member",
        "artifact log",
        "artifact use",
        "artifact download",
        "registry create",
        "registry list",
        "registry show",
        "registry rename",
        "registry update",
        "registry grant",
        "registry revoke",
        "registry protect",
        "link",
        "unlink",
        "alias add",
        "alias remove",
        "promote",
        "diff",
        "revert",
        "artifact tag add",
        "artifact tag remove",
        "collection create",
        "collection list",
        "collection show",
        "collection rename",
        "collection delete",
        "resolve",
        "lineage",
        "history",
        "verify",
        "anchor",
        "chain rekey",
        "replay",
        "demo"
      ])
    )
    for (const [name, descriptor] of all) {
      const text = plain(
        HelpDoc.toAnsiText(
          Descriptor.getHelp(descriptor as unknown as Descriptor.Command<unknown>, CliConfig.defaultConfig)
        )
      )
      expect(text, name).toMatch(/Examples?:/)
      expect(text, name).toContain("$ registrar ")
      expect(text, name).toContain("--json")
    }
  })

  it("main prestarts the embedded store for exactly the commands that open it", () => {
    const root = unwrap(command.descriptor as unknown as Node)
    if (root._tag !== "Subcommands") throw new Error("registrar has subcommands")
    const names = root.children.map((child) => {
      const inner = unwrap(child)
      const named = inner._tag === "Subcommands" ? unwrap(inner.parent) : inner
      return named._tag === "Standard" ? named.name : ""
    })
    expect([...names].sort()).toEqual([...PgliteStart.storeCommands, ...PgliteStart.storelessCommands].sort())
    expect(PgliteStart.embeddedDataDir(["--as", "bob", "resolve", "x"], {})).toBe(".registrar")
    const bob = { REGISTRAR_USER: "bob" }
    expect(
      PgliteStart.embeddedDataDir(["resolve", "--data-dir", "/d", "x"], { ...bob, REGISTRAR_DATA_DIR: "/e" })
    ).toBe("/d")
    expect(PgliteStart.embeddedDataDir(["resolve", "--data-dir=/d", "x"], bob)).toBe("/d")
    expect(PgliteStart.embeddedDataDir(["resolve", "x"], { ...bob, REGISTRAR_DATA_DIR: "/e" })).toBe("/e")
    // A command against a server opens no store; --data-dir beats $REGISTRAR_SERVER, --server beats both.
    expect(PgliteStart.embeddedDataDir(["resolve", "--server", "http://h:1", "x"], bob)).toBeUndefined()
    expect(PgliteStart.embeddedDataDir(["resolve", "x"], { ...bob, REGISTRAR_SERVER: "http://h:1" })).toBeUndefined()
    expect(
      PgliteStart.embeddedDataDir(["resolve", "--data-dir", "/d", "x"], { ...bob, REGISTRAR_SERVER: "http://h:1" })
    ).toBe("/d")
    expect(PgliteStart.embeddedDataDir(["serve", "--data-dir", "/d"], { REGISTRAR_SERVER: "http://h:1" })).toBe("/d")
    expect(PgliteStart.embeddedDataDir(["--as", "resolve"], {})).toBeUndefined()
    expect(PgliteStart.embeddedDataDir(["resolve", "x", "--memory"], bob)).toBeUndefined()
    expect(PgliteStart.embeddedDataDir(["resolve", "x"], { ...bob, DATABASE_URL: "postgres://h/db" })).toBeUndefined()
    expect(PgliteStart.embeddedDataDir(["link", "--help"], {})).toBeUndefined()
    expect(PgliteStart.embeddedDataDir(["resolve", "x"], {})).toBeUndefined()
    expect(PgliteStart.embeddedDataDir(["resolve", "x"], { REGISTRAR_USER: "bob" })).toBe(".registrar")
    expect(PgliteStart.embeddedDataDir(["verify"], {})).toBe(".registrar")
    // `api-key` names whose keys with --user (no acting user needed), and runs against a server when one is chosen.
    expect(PgliteStart.embeddedDataDir(["api-key", "list", "--user", "bob"], {})).toBe(".registrar")
    expect(PgliteStart.embeddedDataDir(["api-key", "list", "--user=bob"], {})).toBe(".registrar")
    expect(PgliteStart.embeddedDataDir(["api-key", "list"], {})).toBeUndefined()
    expect(PgliteStart.embeddedDataDir(["api-key", "list"], { REGISTRAR_SERVER: "http://h:1" })).toBeUndefined()
    expect(PgliteStart.runsRemotely(["api-key", "create", "--name", "ci"], { REGISTRAR_SERVER: "http://h:1" })).toBe(
      true
    )
    expect(PgliteStart.runsRemotely(["serve"], { REGISTRAR_SERVER: "http://h:1" })).toBe(false)
  })

  it("the binary prints help, runs compiled, bundled or from its snapshot, and rejects bad usage with a helpful line and exit code 2", () =>
    withPgliteStore(async (store) => {
      const help = await run(store, "link", "--help")
      expect(help.code).toBe(0)
      expect(plain(help.stdout)).toContain("--interactive")
      expect(plain(help.stdout)).toContain("Example")

      const unknown = await run(store, "registry", "grant", "Models", "--user", "carol", "--role", "superuser")
      expect(unknown.code).toBe(2)
      expect(unknown.stdout).toBe("")
      expect(plain(unknown.stderr)).toMatch(/superuser|restricted_viewer/)
      expect(plain(unknown.stderr)).toContain("--help")
      expect(plain(unknown.stderr)).not.toMatch(/\bat .*\.js:\d+/)

      // One command, run each way the executable can run it, with `env` added.
      const listed = (runner: typeof run, env: Record<string, string>) =>
        runner({ ...store, env: { ...store.env, ...env } }, "registry", "list", "--as", "bob")
      const compiled = await listed(run, { REGISTRAR_NO_BUNDLE: "1" })
      expect(compiled.code, compiled.stderr).toBe(0)
      expect(compiled.stdout).toContain("wandb-registry-Golden Datasets")

      // bin/registrar.js runs the bundle (current: the tests' setup has just built it), which reads its CLI from V8's
      // code cache, and the answer is the same.
      const bundled = await listed(runScript, { REGISTRAR_CODE_CACHE: "check" })
      expect(bundled.code, bundled.stderr).toBe(0)
      expect(bundled.stderr).toBe("code cache accepted\n")
      expect(bundled.stdout).toBe(compiled.stdout)

      // bin/registrar starts Node from the bundle's startup snapshot, with the same answer; Node's own options stay
      // the command's (`--version` is registrar's, not Node's).
      const snapshotted = await listed(run, { REGISTRAR_SNAPSHOT: "check" })
      expect(snapshotted.code, snapshotted.stderr).toBe(0)
      expect(snapshotted.stderr).toBe("started from the snapshot\n")
      expect(snapshotted.stdout).toBe(compiled.stdout)
      const version = await run(store, "--version")
      expect(version.stdout.trim()).toBe("0.1.0")
      // With NODE_OPTIONS, V8 would refuse the snapshot: the bundle runs instead.
      const withOptions = await run(
        { ...store, env: { ...store.env, REGISTRAR_SNAPSHOT: "check", NODE_OPTIONS: "--max-old-space-size=512" } },
        "--version"
      )
      expect(withOptions).toEqual({ code: 0, stdout: version.stdout, stderr: "" })

      const usageJson = await run(store, "registry", "grant", "Models", "--user", "carol", "--role", "owner", "--json")
      expect(usageJson.code).toBe(2)
      expect(JSON.parse(usageJson.stdout)).toEqual({
        error: { code: "InvalidUsage", message: expect.stringContaining("restricted_viewer, viewer, member, admin") }
      })

      const noCommand = await run(store, "frobnicate")
      expect(noCommand.code).toBe(2)
      expect(plain(noCommand.stderr)).toContain("Invalid subcommand")
    }))
  it("the executable takes the snapshot only while it is newer than Node and every file it was built from", async () => {
    // The check bin/registrar runs, against blobs of other ages than the real one (which the other tests use).
    const launcher = fileURLToPath(new URL("../dist/bundle/snapshot.sh", import.meta.url))
    const directory = await fs.mkdtemp(path.join(os.tmpdir(), "registrar-snapshot-age-"))
    try {
      const current = (blob: string) =>
        spawnSync("sh", ["-c", '. "$1" && registrar_blob=$2 && registrar_snapshot_current', "sh", launcher, blob])
          .status === 0
      const old = path.join(directory, "old.blob")
      const future = path.join(directory, "future.blob")
      await fs.writeFile(old, "")
      await fs.writeFile(future, "")
      await fs.utimes(old, new Date("2001-01-01"), new Date("2001-01-01"))
      await fs.utimes(future, new Date(Date.now() + 86_400_000), new Date(Date.now() + 86_400_000))
      expect(current(future)).toBe(true)
      expect(current(old)).toBe(false)
      expect(current(path.join(directory, "missing.blob"))).toBe(false)
    } finally {
      await fs.rm(directory, { recursive: true, force: true })
    }
  })

  it("refuses a number out of its range while the command line is read, before the store is touched", () =>
    withPgliteStore(async (store) => {
      const refusals: ReadonlyArray<[ReadonlyArray<string>, string]> = [
        [["history", "--limit", "0"], "--limit must be a whole number from 1 to 1000000"],
        [["history", "--limit", "-1"], "--limit must be a whole number from 1 to 1000000"],
        [
          ["lineage", "wandb-registry-Golden Datasets/raw_images:v0", "--depth", "21"],
          "--depth must be a whole number from 1 to 20"
        ],
        [
          ["automation", "history", "deploy", "--registry", "Models", "--limit", "0"],
          "--limit must be a whole number from 1 to 1000"
        ]
      ]
      for (const [args, message] of refusals) {
        const refused = await run(store, ...args, "--as", "bob")
        expect(refused.code, `${args.join(" ")}: ${refused.stderr}`).toBe(2)
        expect(plain(refused.stderr)).toContain(message)
      }
      // A port out of range used to be found only when the server listened: after a new store had been bootstrapped
      // and its admin's key printed.
      const fresh = path.join(store.dataDir, "fresh")
      const port = await run(store, "serve", "--data-dir", fresh, "--port", "70000")
      expect(port.code, port.stderr).toBe(2)
      expect(plain(port.stderr)).toContain("--port must be a whole number from 0 to 65535")
      expect(port.stdout).not.toContain("rk_")
      const listed = await run(store, "history", "--limit", "2", "--as", "bob")
      expect(listed.code, listed.stderr).toBe(0)
    }))

  it("processes started from the snapshot draw random ids of their own", () =>
    withPgliteStore(async (store) => {
      // crypto.randomUUID draws from a pool: had the snapshot been built with it filled, every process started from
      // it would give the same ids, and the second process's first event would repeat the first's id.
      await fs.writeFile(path.join(store.dataDir, "weights.bin"), "w")
      for (const name of ["snapshot-one", "snapshot-two"]) {
        const logged = await run(
          { ...store, env: { ...store.env, REGISTRAR_SNAPSHOT: "check" } },
          "artifact",
          "log",
          `smle-reg-team-1/registry_quickstart/${name}`,
          "--type",
          "model",
          "--file",
          "weights.bin",
          "--as",
          "bob"
        )
        expect(logged.code, logged.stderr).toBe(0)
        expect(logged.stderr).toBe("started from the snapshot\n")
      }
      const history = await run(store, "history", "--actor", "bob", "--as", "alice", "--json")
      expect(history.code, history.stderr).toBe(0)
      const ids = (JSON.parse(history.stdout) as Array<{ eventId: string }>).map((event) => event.eventId)
      expect(ids.length).toBeGreaterThanOrEqual(2)
      expect(new Set(ids).size).toBe(ids.length)
    }))
})
