/**
 * What commands print: readable tables and key/value blocks by default, one JSON document with `--json`, and errors
 * as one line (or `{"error": {"code", "message"}}`).
 *
 * Everything goes through `line`, `note` and `failure`, which never write stored text raw to a terminal: controls
 * that could move the cursor, change colours or reorder text are written as `\uXXXX` escapes.
 */
import * as Effect from "effect/Effect"
import type { Common } from "./Common.js"

/**
 * True for a character a terminal would act on instead of showing: C0 controls but the line feed (ESC included),
 * DEL, C1 controls, and bidirectional marks, embeddings, overrides and isolates.
 */
const actsOnTerminal = (code: number): boolean =>
  (code <= 0x1f && code !== 0x0a) ||
  (code >= 0x7f && code <= 0x9f) ||
  code === 0x061c ||
  code === 0x200e ||
  code === 0x200f ||
  (code >= 0x202a && code <= 0x202e) ||
  (code >= 0x2066 && code <= 0x2069)

/**
 * `text` safe to write to a terminal: each control (see `actsOnTerminal`) written as a `\uXXXX` escape, line breaks
 * kept. In a JSON document such characters only occur inside strings, where the escape means the same character, so
 * `--json` output parses to exactly the same values.
 */
export const forTerminal = (text: string): string => {
  let safe = ""
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0
    safe += actsOnTerminal(code) ? `\\u${code.toString(16).padStart(4, "0")}` : character
  }
  return safe
}

const write = (stream: NodeJS.WriteStream, text: string): void => {
  const safe = forTerminal(text)
  stream.write(safe.endsWith("\n") ? safe : `${safe}\n`)
}

/** Writes text to stdout, ending it with a newline (controls escaped, see `forTerminal`). */
export const line = (text: string): Effect.Effect<void> => Effect.sync(() => write(process.stdout, text))

/** Writes a note to stderr (progress, hints): never part of the command's output. Controls are escaped. */
export const note = (text: string): Effect.Effect<void> => Effect.sync(() => write(process.stderr, text))

/** Prints `json` as one document with `--json`, else the text `render` builds. */
export const emit = (common: Common, json: unknown, render: () => string): Effect.Effect<void> =>
  common.json ? line(JSON.stringify(json, null, 2)) : Effect.suspend(() => line(render()))

const width = (text: string) => [...text].length

/** Left-aligned columns under a header; a placeholder line when there are no rows. */
export const table = (
  header: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
  empty = "(none)"
): string => {
  if (rows.length === 0) return `  ${empty}`
  const widths = header.map((title, column) => Math.max(width(title), ...rows.map((row) => width(row[column] ?? ""))))
  const format = (cells: ReadonlyArray<string>) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell + " ".repeat((widths[column] ?? 0) - width(cell))
      )
      .join("  ")
      .trimEnd()
  return [format(header), format(widths.map((w) => "-".repeat(w))), ...rows.map(format)].join("\n")
}

/** `key: value` lines, keys aligned. */
export const fields = (pairs: ReadonlyArray<readonly [string, string]>): string => {
  const keyWidth = Math.max(0, ...pairs.map(([key]) => width(key)))
  return pairs.map(([key, value]) => `${key}:${" ".repeat(keyWidth - width(key) + 1)}${value}`).join("\n")
}

/** An ISO time, shortened for tables: `2025-01-31 12:00:00`. */
export const time = (iso: string): string => iso.replace("T", " ").replace(/\.\d+Z$/, "Z")

/** A list for a table cell. */
export const list = (items: ReadonlyArray<string>, none = "-"): string => (items.length === 0 ? none : items.join(", "))

/** A metadata value for a table cell. */
export const value = (item: unknown): string =>
  item === undefined ? "-" : typeof item === "string" ? item : JSON.stringify(item)

/** The code and message of any failure: a typed error's `_tag` and `message`, else a generic description. */
export const describe = (error: unknown): { readonly code: string; readonly message: string } => {
  if (typeof error === "object" && error !== null) {
    const tag = (error as { _tag?: unknown })._tag
    const message = (error as { message?: unknown }).message
    if (typeof tag === "string" && typeof message === "string" && message.length > 0) {
      return { code: tag, message: message.replace(/\s*\n\s*/g, " ") }
    }
    if (typeof message === "string" && message.length > 0) {
      return { code: "UnexpectedError", message: message.replace(/\s*\n\s*/g, " ") }
    }
  }
  return { code: "UnexpectedError", message: String(error) }
}

/** Prints a failure: one line on stderr, or one JSON document on stdout with `--json` (controls escaped). */
export const failure = (json: boolean, error: { readonly code: string; readonly message: string }): void => {
  if (json) write(process.stdout, JSON.stringify({ error: error }))
  else write(process.stderr, `Error: ${error.message}`)
}
