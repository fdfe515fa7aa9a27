/**
 * Automation secrets sealed with AES-256-GCM under a key derived (SHA-256) from `REGISTRAR_SECRETS_KEY`, kept
 * outside the database. A sealed value reads `v1:<iv>:<tag>:<ciphertext>` (base64url) and is bound to the secret's
 * name (additional data), so a sealed value copied under another name does not open.
 *
 * Opened values are kept in this process by name and sealed text (at most {@link OPENED_KEPT}; the oldest go first),
 * as the process keeps the key itself: every delivery of a signed automation opens its signing secret, and a
 * replaced secret has a new sealed text, so it is opened afresh.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto"
import { SecretBox, type SecretBoxShape, SecretUnreadable } from "@registrar/domain"
import { Effect, Layer } from "effect"

/** The shortest key accepted. */
export const MIN_KEY_LENGTH = 32

/** How many opened secrets a box keeps. */
export const OPENED_KEPT = 1000

/** A secret box under a key; refuses keys shorter than {@link MIN_KEY_LENGTH}. */
export const make = (key: string): SecretBoxShape => {
  if (key.length < MIN_KEY_LENGTH) {
    throw new Error(`REGISTRAR_SECRETS_KEY must be at least ${MIN_KEY_LENGTH} characters`)
  }
  const aesKey = createHash("sha256").update(`registrar-automation-secrets\n${key}`).digest()
  const opened = new Map<string, string>()
  const keep = (id: string, value: string) => {
    if (opened.size >= OPENED_KEPT) opened.delete(opened.keys().next().value!)
    opened.set(id, value)
    return value
  }
  return {
    seal: (name, value) =>
      Effect.sync(() => {
        const iv = randomBytes(12)
        const cipher = createCipheriv("aes-256-gcm", aesKey, iv)
        cipher.setAAD(Buffer.from(name))
        const ciphertext = Buffer.concat([cipher.update(value, "utf8"), cipher.final()])
        const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString("base64url"))
        return `v1:${parts.join(":")}`
      }),
    open: (name, sealed) =>
      Effect.try({
        try: () => {
          const id = `${name}\n${sealed}`
          const kept = opened.get(id)
          if (kept !== undefined) return kept
          const [version, iv, tag, ciphertext] = sealed.split(":")
          if (version !== "v1" || iv === undefined || tag === undefined || ciphertext === undefined) throw new Error()
          const decipher = createDecipheriv("aes-256-gcm", aesKey, Buffer.from(iv, "base64url"))
          decipher.setAAD(Buffer.from(name))
          decipher.setAuthTag(Buffer.from(tag, "base64url"))
          return keep(
            id,
            Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8")
          )
        },
        catch: () => new SecretUnreadable({ secret: name })
      })
  }
}

/** The secret box as a layer. */
export const layer = (key: string) => Layer.sync(SecretBox, () => make(key))
