import { describe, expect, it } from "@effect/vitest"
import { contentDigest as domainDigest, type NewEvent } from "@registrar/domain"
import { FastCheck } from "effect"
import { contentDigest } from "../src/internal/Digest.js"

const event: FastCheck.Arbitrary<NewEvent> = FastCheck.record({
  eventId: FastCheck.uuid(),
  type: FastCheck.string(),
  schemaVersion: FastCheck.integer({ min: 1, max: 9 }),
  data: FastCheck.dictionary(FastCheck.string({ unit: "binary" }), FastCheck.jsonValue()),
  metadata: FastCheck.record(
    {
      actor: FastCheck.string({ unit: "grapheme" }),
      recordedAt: FastCheck.date({ noInvalidDate: true }).map((date) => date.toISOString()),
      correlationId: FastCheck.string()
    },
    { requiredKeys: ["actor", "recordedAt"] }
  )
}) as FastCheck.Arbitrary<NewEvent>

describe("native content digest", () => {
  it("equals the domain's digest for any event", () => {
    FastCheck.assert(
      FastCheck.property(event, (generated) => {
        expect(contentDigest(generated)).toBe(domainDigest(generated))
      }),
      { numRuns: 200 }
    )
  })
})
