/**
 * The content digest of an event (see the domain's `HashChain`), computed with node's native SHA-256: appending
 * a million events hashes a million payloads.
 */
import { createHash } from "node:crypto"
import { contentDigestWith } from "@registrar/domain"

/** `sha256hex(canonicalJson({ eventId, type, schemaVersion, data, metadata }))`, hashed natively. */
export const contentDigest = contentDigestWith((text) => createHash("sha256").update(text, "utf8").digest("hex"))
