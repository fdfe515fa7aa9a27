/**
 * The `$regex` subset (docs/search.md#regular-expressions): patterns that mean the same in JavaScript, in RE2 (which
 * the memory store evaluates with, in linear time) and in PostgreSQL's `~`. Anything outside it is refused, as is a
 * quantifier on a group that holds a quantifier or an alternation (the shape of catastrophic backtracking).
 */
import { Either } from "effect"
import { RE2JS } from "re2js"
import { UnsupportedRegex } from "./Errors.js"

/** The longest pattern accepted. */
export const maxRegexLength = 256

/** The largest bound of a `{m,n}` quantifier (PostgreSQL's limit). */
const maxRepeat = 255

const shorthand = "dDwWsS"
const escapable = "^$\\.*+?()[]{}|/"

interface Frame {
  quantified: boolean
  alternated: boolean
}

type Previous = "none" | "atom" | "anchor" | "quantifier" | "lazy"

const refuse = (pattern: string, reason: string) => Either.left(new UnsupportedRegex({ pattern, reason }))

/** The end (exclusive) of the bracket class starting at `start`, or a reason it is refused. */
const classEnd = (pattern: string, start: number): number | string => {
  let index = start + 1
  if (pattern[index] === "^") index++
  if (pattern[index] === "]") return "a class cannot start with ]: write \\]"
  while (index < pattern.length) {
    const char = pattern[index]
    if (char === "]") return index + 1
    if (char === "[" && ":=.".includes(pattern[index + 1] ?? ""))
      return "POSIX classes like [:alpha:] are not supported"
    if (char === "\\") {
      const next = pattern[index + 1] ?? ""
      if (!("dws".includes(next) || `${escapable}-`.includes(next) || next === "")) {
        return `\\${next} is not supported inside a class (only \\d \\w \\s and escaped punctuation)`
      }
      index += 2
      continue
    }
    index++
  }
  return "a [ class is not closed"
}

/** Checks a pattern against the subset; the compiled RE2 program when it is accepted. */
export const compileRegex = (pattern: string): Either.Either<RE2JS, UnsupportedRegex> => {
  if (pattern.length > maxRegexLength) return refuse(pattern, `it is longer than ${maxRegexLength} characters`)
  if (pattern.includes("\u0000")) return refuse(pattern, "it holds a NUL character")
  const frames: Array<Frame> = [{ quantified: false, alternated: false }]
  let previous: Previous = "none"
  // The flags of the group just closed, when the previous atom is one.
  let closedGroup: Frame | undefined
  let index = 0
  while (index < pattern.length) {
    const char = pattern[index] as string
    const frame = frames[frames.length - 1] as Frame
    const quantifier = char === "*" || char === "+" || char === "?" || char === "{"
    if (quantifier) {
      let end = index + 1
      if (char === "{") {
        const bound = /^\{(\d{1,3})(,(\d{0,3}))?\}/.exec(pattern.slice(index))
        if (bound === null)
          return refuse(pattern, "a { must be a bound {m}, {m,} or {m,n}: write \\{ for the character")
        const low = Number(bound[1])
        const high = bound[3] === undefined || bound[3] === "" ? low : Number(bound[3])
        if (low > maxRepeat || high > maxRepeat || high < low) {
          return refuse(pattern, `bounds go from 0 to ${maxRepeat}, the smaller first`)
        }
        end = index + bound[0].length
      }
      if (char === "?" && previous === "quantifier") {
        previous = "lazy"
        index++
        continue
      }
      if (previous !== "atom")
        return refuse(pattern, `the quantifier ${char} at ${index} follows nothing it can repeat`)
      if (closedGroup !== undefined && (closedGroup.quantified || closedGroup.alternated)) {
        return refuse(pattern, "a quantifier on a group that holds a quantifier or | (nested quantifiers)")
      }
      frame.quantified = true
      previous = "quantifier"
      closedGroup = undefined
      index = end
      continue
    }
    closedGroup = undefined
    if (char === "\\") {
      const next = pattern[index + 1] ?? ""
      if (!(shorthand.includes(next) || escapable.includes(next)) || next === "") {
        return refuse(
          pattern,
          `\\${next} is not supported (only \\d \\w \\s, their negations, and escaped punctuation)`
        )
      }
      previous = "atom"
      index += 2
    } else if (char === "[") {
      const end = classEnd(pattern, index)
      if (typeof end === "string") return refuse(pattern, end)
      previous = "atom"
      index = end
    } else if (char === "(") {
      if (pattern[index + 1] === "?") {
        if (pattern[index + 2] !== ":") return refuse(pattern, "lookarounds and named groups are not supported")
        index += 3
      } else {
        index++
      }
      frames.push({ quantified: false, alternated: false })
      previous = "none"
    } else if (char === ")") {
      if (frames.length === 1) return refuse(pattern, `the ) at ${index} closes no group`)
      closedGroup = frames.pop()
      const outer = frames[frames.length - 1] as Frame
      outer.quantified ||= closedGroup?.quantified ?? false
      outer.alternated ||= closedGroup?.alternated ?? false
      previous = "atom"
      index++
    } else if (char === "|") {
      frame.alternated = true
      previous = "none"
      index++
    } else if (char === "^" || char === "$") {
      previous = "anchor"
      index++
    } else if (char === "]" || char === "}") {
      return refuse(pattern, `a lone ${char}: write \\${char}`)
    } else {
      previous = "atom"
      index++
    }
  }
  if (frames.length > 1) return refuse(pattern, "a ( group is not closed")
  try {
    new RegExp(pattern, "u")
    return Either.right(RE2JS.compile(pattern, RE2JS.DOTALL))
  } catch (cause) {
    return refuse(pattern, cause instanceof Error ? cause.message : "it does not compile")
  }
}

const compiled = new Map<string, RE2JS>()

/** Whether an accepted pattern matches anywhere in `text` (`.` matches newlines, as in PostgreSQL). */
export const regexMatches = (pattern: string, text: string): boolean => {
  let program = compiled.get(pattern)
  if (program === undefined) {
    program = RE2JS.compile(pattern, RE2JS.DOTALL)
    if (compiled.size > 1000) compiled.clear()
    compiled.set(pattern, program)
  }
  return program.test(text)
}
