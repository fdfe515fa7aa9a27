/**
 * Reads a filter's JSON text strictly: bounded in length and depth before anything is built, and refusing a key
 * given twice in one object (which `JSON.parse` would silently keep the last of).
 */
import { Either } from "effect"
import type { Json } from "./Ast.js"
import { DuplicateFilterField, FilterTooComplex, InvalidFilterJson } from "./Errors.js"

/** The longest filter text accepted. */
export const maxFilterChars = 16 * 1024

/** How deeply objects and lists may nest in a filter. */
export const maxDepth = 12

type Failure = InvalidFilterJson | DuplicateFilterField | FilterTooComplex

class Stop {
  constructor(readonly error: Failure) {}
}

/** Parses `text` as JSON, refusing duplicate keys, nesting deeper than {@link maxDepth} and texts too long. */
export const parseJsonText = (text: string): Either.Either<Json, Failure> => {
  if (text.length > maxFilterChars) {
    return Either.left(
      new FilterTooComplex({ reason: `the filter has ${text.length} characters`, limit: maxFilterChars })
    )
  }
  let index = 0
  const fail = (reason: string): never => {
    throw new Stop(new InvalidFilterJson({ reason: `${reason} at character ${index}` }))
  }
  const space = () => {
    while (index < text.length && " \t\n\r".includes(text[index] as string)) index++
  }
  const string = (): string => {
    const start = index
    index++
    let escaped = false
    while (index < text.length) {
      const char = text.charCodeAt(index)
      if (char < 0x20) fail("a control character in a string")
      if (escaped) escaped = false
      else if (char === 0x5c) escaped = true
      else if (char === 0x22) break
      index++
    }
    if (index >= text.length) fail("an unterminated string")
    index++
    try {
      return JSON.parse(text.slice(start, index)) as string
    } catch {
      return fail("an invalid escape in a string")
    }
  }
  const value = (depth: number, at: string): Json => {
    space()
    const char = text[index]
    if (char === "{" || char === "[") {
      if (depth >= maxDepth) throw new Stop(new FilterTooComplex({ reason: "it nests too deeply", limit: maxDepth }))
    }
    if (char === "{") {
      index++
      const object: Record<string, Json> = {}
      space()
      if (text[index] === "}") {
        index++
        return object
      }
      for (;;) {
        space()
        if (text[index] !== '"') fail("expected a key in quotes")
        const key = string()
        if (Object.hasOwn(object, key)) throw new Stop(new DuplicateFilterField({ field: key, at }))
        space()
        if (text[index] !== ":") fail("expected :")
        index++
        object[key] = value(depth + 1, key)
        space()
        if (text[index] === ",") {
          index++
          continue
        }
        if (text[index] === "}") {
          index++
          return object
        }
        fail("expected , or }")
      }
    }
    if (char === "[") {
      index++
      const list: Array<Json> = []
      space()
      if (text[index] === "]") {
        index++
        return list
      }
      for (;;) {
        list.push(value(depth + 1, at))
        space()
        if (text[index] === ",") {
          index++
          continue
        }
        if (text[index] === "]") {
          index++
          return list
        }
        fail("expected , or ]")
      }
    }
    if (char === '"') return string()
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      text.slice(index, index + 64)
    )
    if (literal === null) return fail("expected a value")
    index += literal[0].length
    const parsed = JSON.parse(literal[0]) as Json
    if (typeof parsed === "number" && !Number.isFinite(parsed)) fail("a number too large")
    return parsed
  }
  try {
    const result = value(0, "the top level")
    space()
    if (index < text.length) fail("unexpected text after the filter")
    return Either.right(result)
  } catch (thrown) {
    if (thrown instanceof Stop) return Either.left(thrown.error)
    throw thrown
  }
}
