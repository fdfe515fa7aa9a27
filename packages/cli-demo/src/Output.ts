/**
 * What commands print: readable tables and key/value blocks by default, one JSON document with `--json`, and errors
 * as one line (or `{"error": {"code", "message"}}`).
 */
import * as Effect from "effect/Effect"
import type { Common } from "./Common.js"

/** Writes text to stdout, ending it with a newline. */
export const line = (text: string): Effect.Effect<void> =>
  Effect.sync(() => {
    process.stdout.write(text.endsWith("\n") ? text : `${text}\n`)
  })

/** Writes a note to stderr (progress, hints): never part of the command's output. */
export const note = (text: string): Effect.Effect<void> =>
  Effect.sync(() => {
    process.stderr.write(text.endsWith("\n") ? text : `${text}\n`)
  })

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

/** Prints a failure: one line on stderr, or one JSON document on stdout with `--json`. */
export const failure = (json: boolean, error: { readonly code: string; readonly message: string }): void => {
  if (json) process.stdout.write(`${JSON.stringify({ error: error })}\n`)
  else process.stderr.write(`Error: ${error.message}\n`)
}
