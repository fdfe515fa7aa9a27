/** Damages a stored blob as a failing disk would: flips the first byte of its first chunk, in place. */
import type { Database } from "../../src/internal/Database.js"

/** Flips the first byte of the first chunk of `sha256` in `database`. */
export const corruptBlob = (database: Database) => (sha256: string) =>
  database.driver.query(
    `UPDATE ${database.schema}.blob_chunks SET data = set_byte(data, 0, get_byte(data, 0) # 255)
     WHERE n = 0 AND upload_id = (SELECT upload_id FROM ${database.schema}.blobs WHERE sha256 = $1)`,
    [sha256]
  )
