import { describe, expect, it } from "vitest"
import { finished, json, plain, run, start, withPgliteStore } from "./support/Cli.js"

const down = "\u001b[B"
const enter = "\r"

/** Answers prompts in order: waits until a prompt's text appears (prompts draw on stderr), then types its keys. */
const drive = async (
  child: ReturnType<typeof start>,
  steps: ReadonlyArray<readonly [prompt: string, keys: string]>
): Promise<void> => {
  let output = ""
  let seen = 0
  child.stderr?.on("data", (chunk) => {
    output += chunk.toString()
  })
  for (const [prompt, keys] of steps) {
    const deadline = Date.now() + 60_000
    for (;;) {
      const text = plain(output)
      const at = text.indexOf(prompt, seen)
      if (at !== -1) {
        seen = at + prompt.length
        break
      }
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`no prompt "${prompt}" (exit ${child.exitCode}); output so far:\n${text}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    await new Promise((resolve) => setTimeout(resolve, 60))
    child.stdin?.write(keys)
  }
}

describe.concurrent("link --interactive (PGlite)", () => {
  it("walks team → project → artifact → version → registry → collection → aliases, driven through its prompts", () =>
    withPgliteStore(async (s) => {
      const child = start(s, ["link", "--interactive", "--as", "bob"])
      const done = finished(child)
      await drive(child, [
        ["? Team", enter],
        ["? Project", enter],
        ["? Artifact", down + enter],
        ["? Version", down + enter],
        ["? Registry", enter],
        ["? Collection", down + enter],
        ["? New collection name", `shortlist${enter}`],
        ["? Aliases", `candidate, reviewed${enter}`],
        [
          "? Link smle-reg-team-1/registry_quickstart/zoo-classifier:v0 into smle-registries-bug-bash/wandb-registry-Models/shortlist with candidate, reviewed?",
          "y"
        ]
      ])
      const result = await done
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout).toBe("wandb-registry-Models/shortlist:v0\n")
      expect(result.stderr).toContain("registrar link smle-reg-team-1/registry_quickstart/zoo-classifier:v0")

      const resolved = await json<{ source: string; aliases: Array<string> }>(
        s,
        "resolve",
        "wandb-registry-Models/shortlist:reviewed",
        "--as",
        "bob"
      )
      expect(resolved).toMatchObject({
        source: "smle-reg-team-1/registry_quickstart/zoo-classifier:v0",
        aliases: ["latest", "candidate", "reviewed"]
      })
    }))

  it("stops with one line when standard input ends before every prompt is answered", () =>
    withPgliteStore(async (s) => {
      const result = await run(s, "link", "--interactive", "--as", "bob")
      expect(result.code).toBe(1)
      expect(result.stdout).toBe("")
      expect(plain(result.stderr).trim().split("\n").at(-1)).toBe(
        "Error: Standard input ended before every prompt was answered: run it in a terminal, or give one answer per prompt on standard input; nothing was linked."
      )
    }))
})
