/**
 * The domain promises that nothing throws and that the types say what a handler does. `Option.getOrThrow` (and its
 * kin) can throw, and a type cast (`x as T`) silences the checker; neither belongs in the application handlers or
 * the loader. Non-null assertions (`x!`) there are refused by the linter (biome.json's override).
 */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"

const src = fileURLToPath(new URL("../src", import.meta.url))

const sourcesIn = (directory: string): ReadonlyArray<string> =>
  readdirSync(join(src, directory), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => join(directory, file))

/** Source text without comments and import/export-from lists (which may rename with `as`). */
const withoutCommentsAndImports = (text: string): string =>
  text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/.*$/gm, "")
    .replace(/^(?:import|export)\b[^;]*?\bfrom\s+"[^"]+"/gm, "")

const codeOf = (file: string): string => withoutCommentsAndImports(readFileSync(join(src, file), "utf8"))

/** The target types of the casts `x as T` in some code, for any T but `const` (which only narrows a literal). */
const casts = (code: string): ReadonlyArray<string | undefined> =>
  [...code.matchAll(/[\w)\]}>"'`]\s+as\s+(?!const\b)([\w{([]+)/g)].map((match) => match[1])

/** The handlers and the loader: where commands load, decide and append. */
const handlers = [...sourcesIn("Registrar"), "internal/Loader.ts"]

/**
 * The casts the types cannot avoid yet, per file: idempotent commands store and return their result as JSON
 * (Context.ts, and Loader.ts, which writes the record in the command's own append and reads it back when a
 * concurrent retry recorded it first), and the aggregate cache holds every kind of stream under its id, its states
 * and its loads in flight (Loader.ts).
 */
const allowedCasts: Readonly<Record<string, number>> = {
  [join("Registrar", "Context.ts")]: 3,
  [join("internal", "Loader.ts")]: 4
}

describe("handlers are total and say what they do", () => {
  it("no source file of the domain calls getOrThrow", () => {
    const throwing = sourcesIn(".").filter((file) => /\bgetOrThrow(With)?\b/.test(codeOf(file)))
    expect(throwing).toEqual([])
  })

  it("the handlers and the loader cast nothing beyond the listed exceptions", () => {
    const found = Object.fromEntries(
      handlers.map((file) => [file, casts(codeOf(file)).length] as const).filter(([, count]) => count > 0)
    )
    expect(found).toEqual(allowedCasts)
  })

  it("the cast detector sees a cast and ignores `as const`, renamed imports and prose", () => {
    const code = [
      'import { fullName as printFullName } from "../Paths.js"',
      "// linked as the source says",
      "const a = value as Registry.Active",
      'const b = { _tag: "Alias" } as const',
      "const c = (state as unknown) as Loaded<State>"
    ].join("\n")
    expect(casts(withoutCommentsAndImports(code))).toEqual(["Registry", "unknown", "Loaded"])
  })
})
