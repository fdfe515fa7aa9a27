/**
 * The secret box: what it seals opens under the same key and name only, a tampered or foreign value never opens,
 * and an opened value it keeps is still bound to its name and sealed text.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { SecretBox } from "../src/index.js"

const KEY = "k".repeat(SecretBox.MIN_KEY_LENGTH)

describe("SecretBox", () => {
  it.effect("opens what it sealed, again and again, and never under another name, key or edited text", () =>
    Effect.gen(function* () {
      const box = SecretBox.make(KEY)
      const sealed = yield* box.seal("signing", "whsec-1")
      expect(sealed).not.toContain("whsec-1")
      expect(yield* box.open("signing", sealed)).toBe("whsec-1")
      expect(yield* box.open("signing", sealed)).toBe("whsec-1")

      const refused = (exit: Exit.Exit<string, unknown>) =>
        Exit.match(exit, { onFailure: (cause) => String(cause), onSuccess: (value) => `opened ${value}` })
      expect(refused(yield* Effect.exit(box.open("other", sealed)))).toContain("SecretUnreadable")
      const [version, iv, tag, ciphertext] = sealed.split(":")
      const edited = [version, iv, tag, `${ciphertext!.slice(0, -2)}AA`].join(":")
      expect(refused(yield* Effect.exit(box.open("signing", edited)))).toContain("SecretUnreadable")
      const foreign = SecretBox.make("f".repeat(SecretBox.MIN_KEY_LENGTH))
      expect(refused(yield* Effect.exit(foreign.open("signing", sealed)))).toContain("SecretUnreadable")
    })
  )

  it.effect("keeps at most OPENED_KEPT values and still opens each one sealed, oldest first out", () =>
    Effect.gen(function* () {
      const box = SecretBox.make(KEY)
      const count = SecretBox.OPENED_KEPT + 10
      const sealed = yield* Effect.forEach(
        Array.from({ length: count }, (_, i) => i),
        (i) => box.seal(`s${i}`, `value-${i}`)
      )
      for (let i = 0; i < count; i++) expect(yield* box.open(`s${i}`, sealed[i]!)).toBe(`value-${i}`)
      for (let i = 0; i < count; i++) expect(yield* box.open(`s${i}`, sealed[i]!)).toBe(`value-${i}`)
    })
  )

  it("refuses a key shorter than the minimum", () => {
    expect(() => SecretBox.make("short")).toThrow(/at least 32 characters/)
  })
})
