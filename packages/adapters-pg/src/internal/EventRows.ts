/** How stored events are selected and read back: the columns of a feed or stream read, and the recorded event of a row. */
import type { EventMetadataJson, JsonObject, RecordedEvent } from "@registrar/domain"
import type { SqlRow } from "./Driver.js"

/** The columns of an events read; transaction_id is read as text (xid8 has no JS type), so ORDER BY must name `e.`. */
export const eventColumns = `global_position, transaction_id::text AS transaction_id, stream_id, stream_position, event_id, type,
  schema_version, data, metadata, hash`

/** The recorded event of a row selected with {@link eventColumns}. */
export const toRecorded = (row: SqlRow): RecordedEvent => ({
  eventId: String(row.event_id),
  type: String(row.type),
  schemaVersion: Number(row.schema_version),
  data: row.data as JsonObject,
  metadata: row.metadata as EventMetadataJson,
  streamId: String(row.stream_id),
  streamPosition: Number(row.stream_position),
  globalPosition: Number(row.global_position),
  transactionId: Number(row.transaction_id),
  hash: String(row.hash)
})
