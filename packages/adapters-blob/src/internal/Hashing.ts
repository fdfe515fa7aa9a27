/** What the adapters share: node's sha256 as the domain's `Hasher`, and a stream folded into a hash and size. */
import { createHash } from "node:crypto"
import type { Hasher } from "@registrar/domain"

/** A fresh sha256 hasher. */
export const sha256Hasher = (): Hasher => {
  const hash = createHash("sha256")
  return { update: (bytes) => hash.update(bytes), hex: () => hash.digest("hex") }
}

/** Why a node call failed, in words (the errno code when there is one). */
export const reason = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return code === "ENOENT"
    ? "no such file or directory"
    : code === "EACCES"
      ? "permission denied"
      : code === "ENOSPC"
        ? "no space left on device"
        : error instanceof Error
          ? error.message
          : String(error)
}
