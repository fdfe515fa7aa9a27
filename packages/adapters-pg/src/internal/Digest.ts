/**
 * The content digest of an event (see the domain's `HashChain`), computed with node's native SHA-256: appending
 * a million events hashes a million payloads. Same canonical JSON as the domain (keys sorted, no whitespace,
 * undefined members dropped); a test checks both give the same digest.
 */
import { createHash } from "node:crypto"
import type { NewEvent } from "@registrar/domain"

const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null"
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(",")}]`
  const record = value as Record<string, unknown>
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(",")}}`
}

/** `sha256hex(canonicalJson({ eventId, type, schemaVersion, data, metadata }))`. */
export const contentDigest = (event: NewEvent): string =>
  createHash("sha256")
    .update(
      canonicalJson({
        eventId: event.eventId,
        type: event.type,
        schemaVersion: event.schemaVersion,
        data: event.data,
        metadata: event.metadata
      }),
      "utf8"
    )
    .digest("hex")
