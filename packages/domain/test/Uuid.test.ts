/**
 * Ids: random ones come from the platform's cryptographic generator (never from Effect's seeded `Random`, which
 * repeats across processes), and derived ones carry the UUID version that says how they were made.
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Random } from "effect"
import { randomUuid, uuidFromText } from "../src/internal/Uuid.js"

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-([0-9a-f])[0-9a-f]{3}-[0-9a-f]{12}$/

/** The version nibble and the variant nibble of a UUID. */
const versionAndVariant = (id: string): readonly [string, string] => {
  const match = UUID.exec(id)
  if (match === null) throw new Error(`not a UUID: ${id}`)
  return [match[1]!, match[2]!]
}

// The compiled module (built by `tsc -b`, which `pnpm test` runs first), so a plain `node` process can load it.
const compiledUuid = fileURLToPath(new URL("../dist/src/internal/Uuid.js", import.meta.url))

const idsFromAnotherProcess = async (count: number): Promise<ReadonlyArray<string>> => {
  const script = `
    const { randomUuid } = await import(${JSON.stringify(compiledUuid)})
    const { Effect } = await import("effect")
    const ids = await Effect.runPromise(Effect.all(Array.from({ length: ${count} }, () => randomUuid)))
    process.stdout.write(JSON.stringify(ids))
  `
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
    cwd: fileURLToPath(new URL("..", import.meta.url))
  })
  return JSON.parse(stdout) as ReadonlyArray<string>
}

describe("Uuid", () => {
  it.effect("random ids are version 4 with the RFC 9562 variant", () =>
    Effect.gen(function* () {
      const ids = yield* Effect.all(Array.from({ length: 200 }, () => randomUuid))
      for (const id of ids) {
        const [version, variant] = versionAndVariant(id)
        expect(version).toBe("4")
        expect(["8", "9", "a", "b"]).toContain(variant)
      }
      expect(new Set(ids).size).toBe(ids.length)
    })
  )

  it("derived ids are version 8 (a custom hash), stable for the same text and different for other text", () => {
    const id = uuidFromText("key\nstream\n1")
    const [version, variant] = versionAndVariant(id)
    expect(version).toBe("8")
    expect(["8", "9", "a", "b"]).toContain(variant)
    expect(uuidFromText("key\nstream\n1")).toBe(id)
    expect(uuidFromText("key\nstream\n2")).not.toBe(id)
  })

  it.effect("the seed of Effect's Random service does not decide random ids", () =>
    Effect.gen(function* () {
      // With ids drawn from `Random`, two fibers seeded alike drew the same ids; now the seed is irrelevant.
      const drawWithSeed = (seed: number) =>
        Effect.all([randomUuid, randomUuid, randomUuid]).pipe(Effect.withRandom(Random.make(seed)))
      const first = yield* drawWithSeed(42)
      const second = yield* drawWithSeed(42)
      for (const id of first) expect(second).not.toContain(id)
    })
  )

  it("random ids from two separately started processes never repeat", { timeout: 30_000 }, async () => {
    const [first, second] = await Promise.all([idsFromAnotherProcess(500), idsFromAnotherProcess(500)])
    expect(first).toHaveLength(500)
    expect(second).toHaveLength(500)
    const all = new Set([...first!, ...second!])
    expect(all.size).toBe(1000)
    for (const id of first!) expect(versionAndVariant(id)[0]).toBe("4")
  })
})
