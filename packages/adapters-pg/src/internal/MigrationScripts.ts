/**
 * The SQL of each migration, frozen once released: a later change to the schema is a new migration, never an edit
 * here. Every script is plain PostgreSQL 14+ that also runs on PGlite; `s` is the quoted schema name.
 */

/** Streams, the global position sequence and the events table with its feed index. */
export const eventStoreTables = (s: string): string => `
CREATE TABLE ${s}.streams (
  stream_id text COLLATE "C" PRIMARY KEY,
  version bigint NOT NULL CHECK (version > 0),
  last_hash text NOT NULL
);
CREATE SEQUENCE ${s}.global_position AS bigint;
CREATE TABLE ${s}.events (
  global_position bigint PRIMARY KEY,
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id text COLLATE "C" NOT NULL,
  stream_position bigint NOT NULL,
  event_id text COLLATE "C" NOT NULL,
  type text NOT NULL,
  schema_version integer NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  content_digest text NOT NULL,
  hash text NOT NULL,
  CONSTRAINT events_stream_position_key UNIQUE (stream_id, stream_position),
  CONSTRAINT events_event_id_key UNIQUE (event_id)
);
CREATE INDEX events_feed_idx ON ${s}.events (transaction_id, global_position);
`

/**
 * The append function: one statement per append. Order matters: the per-stream lock comes before anything that
 * assigns a transaction id; idempotency and the expected version are checked before `nextval`, so an append
 * that loses consumes no global position; the stream row is written only if it still holds the version read.
 */
export const appendFunction = (s: string): string => `
CREATE FUNCTION ${s}.append_events(p_stream_id text, p_expected text, p_events jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $append$
DECLARE
  v_count integer := jsonb_array_length(p_events);
  v_found bigint;
  v_all_same boolean;
  v_transactions bigint;
  v_clash text;
  v_stored_positions bigint[];
  v_last_position bigint;
  v_last_transaction text;
  v_version bigint;
  v_hash text;
  v_hashes text[] := '{}';
  v_positions bigint[] := '{}';
BEGIN
  IF v_count > 0 THEN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_stream_id, 0));

    SELECT count(e.event_id),
           coalesce(bool_and(e.event_id IS NOT NULL AND e.stream_id = p_stream_id AND e.content_digest = n.digest), false),
           count(DISTINCT e.transaction_id),
           (array_agg(n.event_id ORDER BY n.ordinality) FILTER (
              WHERE e.event_id IS NOT NULL AND NOT (e.stream_id = p_stream_id AND e.content_digest = n.digest)))[1],
           array_agg(e.global_position ORDER BY n.ordinality),
           (array_agg(e.stream_position ORDER BY n.ordinality DESC))[1],
           (array_agg(e.transaction_id::text ORDER BY n.ordinality DESC))[1]
      INTO v_found, v_all_same, v_transactions, v_clash, v_stored_positions, v_last_position, v_last_transaction
      FROM (SELECT x.value->>'eventId' AS event_id, x.value->>'digest' AS digest, x.ordinality
              FROM jsonb_array_elements(p_events) WITH ORDINALITY AS x(value, ordinality)) AS n
      LEFT JOIN ${s}.events AS e ON e.event_id = n.event_id;

    IF v_found > 0 THEN
      IF v_all_same AND v_transactions = 1 THEN
        RETURN jsonb_build_object('status', 'retried', 'version', v_last_position,
          'positions', to_jsonb(v_stored_positions), 'transactionId', v_last_transaction);
      END IF;
      RETURN jsonb_build_object('status', 'reused', 'eventId', coalesce(v_clash, p_events->0->>'eventId'));
    END IF;
  END IF;

  SELECT version, last_hash INTO v_version, v_hash FROM ${s}.streams WHERE stream_id = p_stream_id;
  v_version := coalesce(v_version, 0);
  IF NOT (p_expected = 'any'
          OR (p_expected = 'no_stream' AND v_version = 0)
          OR (p_expected = 'stream_exists' AND v_version > 0)
          OR (p_expected ~ '^[0-9]{1,18}$' AND v_version = p_expected::bigint)) THEN
    RETURN jsonb_build_object('status', 'conflict', 'actual', v_version);
  END IF;
  IF v_count = 0 THEN
    RETURN jsonb_build_object('status', 'appended', 'version', v_version, 'positions', '[]'::jsonb,
      'transactionId', '0');
  END IF;

  v_hash := coalesce(v_hash, repeat('0', 64));
  FOR i IN 1..v_count LOOP
    v_hash := encode(sha256(convert_to(v_hash || E'\\n' || p_stream_id || E'\\n' || (v_version + i)::text || E'\\n'
                                       || (p_events->(i - 1)->>'digest'), 'UTF8')), 'hex');
    v_hashes := v_hashes || v_hash;
    v_positions := v_positions || nextval('${s}.global_position');
  END LOOP;

  IF v_version = 0 THEN
    INSERT INTO ${s}.streams (stream_id, version, last_hash) VALUES (p_stream_id, v_count, v_hash);
  ELSE
    UPDATE ${s}.streams SET version = v_version + v_count, last_hash = v_hash
     WHERE stream_id = p_stream_id AND version = v_version;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'stream % changed under its lock', p_stream_id USING ERRCODE = 'serialization_failure';
    END IF;
  END IF;

  INSERT INTO ${s}.events (global_position, stream_id, stream_position, event_id, type, schema_version, data,
                           metadata, content_digest, hash)
  SELECT v_positions[x.ordinality], p_stream_id, v_version + x.ordinality, x.value->>'eventId', x.value->>'type',
         (x.value->>'schemaVersion')::integer, x.value->'data', x.value->'metadata', x.value->>'digest',
         v_hashes[x.ordinality]
    FROM jsonb_array_elements(p_events) WITH ORDINALITY AS x(value, ordinality);

  RETURN jsonb_build_object('status', 'appended', 'version', v_version + v_count,
    'positions', to_jsonb(v_positions), 'transactionId', pg_current_xact_id()::text);
END
$append$;
`

/** Read-model rows of every table (keys in byte order), their GIN index, and the projection checkpoint. */
export const readModelTables = (s: string): string => `
CREATE TABLE ${s}.read_model_rows (
  table_name text COLLATE "C" NOT NULL,
  row_key text COLLATE "C" NOT NULL,
  row_value jsonb NOT NULL,
  CONSTRAINT read_model_rows_pkey PRIMARY KEY (table_name, row_key)
);
CREATE INDEX read_model_rows_value_idx ON ${s}.read_model_rows USING gin (row_value jsonb_path_ops);
CREATE TABLE ${s}.read_model_checkpoint (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  transaction_id bigint NOT NULL,
  global_position bigint NOT NULL
);
INSERT INTO ${s}.read_model_checkpoint (transaction_id, global_position) VALUES (0, 0);
`

/** The latest snapshot of each stream. */
export const snapshotTable = (s: string): string => `
CREATE TABLE ${s}.snapshots (
  stream_id text COLLATE "C" PRIMARY KEY,
  version bigint NOT NULL,
  schema_version integer NOT NULL,
  state jsonb NOT NULL
);
`

/**
 * The append function, version 2: the idempotency check (seven aggregates over the batch joined to the events)
 * runs only when one of the batch's event ids is already stored — a cheap index probe — instead of on every append.
 * Everything else is the frozen version 1, redefined in place.
 */
export const appendFunctionSkippingIdempotencyCheck = (s: string): string => {
  const original = appendFunction(s)
  const checkStart = original.indexOf("    SELECT count(e.event_id),")
  const checkEnd = original.indexOf("  END IF;\n\n  SELECT version, last_hash")
  return `${original.slice(0, checkStart).replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")}    IF EXISTS (
      SELECT 1 FROM ${s}.events AS e
       WHERE e.event_id IN (SELECT x.value->>'eventId' FROM jsonb_array_elements(p_events) AS x(value))) THEN
${original.slice(checkStart, checkEnd)}    END IF;
${original.slice(checkEnd)}`
}

/**
 * Group appends: several appends (to any streams, the same stream included) in one statement and one transaction,
 * so concurrent writers share a round trip and a commit. Every stream's lock is taken first, in one global order
 * (so two groups never deadlock, and no transaction id is assigned before the locks, as in `append_events`); then
 * each append runs as `append_events` would run it alone, in the order given, and reports its own outcome: one
 * append's conflict does not stop the others. A failure (e.g. a unique violation racing another transaction)
 * rolls back the whole group; the caller then runs its appends one by one.
 */
export const appendGroupFunction = (s: string): string => `
CREATE FUNCTION ${s}.append_group(p_appends jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $group$
DECLARE
  v_append jsonb;
  v_outcomes jsonb := '[]'::jsonb;
BEGIN
  PERFORM pg_advisory_xact_lock(k.key)
     FROM (SELECT DISTINCT hashtextextended(a.value->>'streamId', 0) AS key
             FROM jsonb_array_elements(p_appends) AS a(value)
            WHERE jsonb_array_length(a.value->'events') > 0
            ORDER BY 1) AS k;
  FOR v_append IN SELECT a.value FROM jsonb_array_elements(p_appends) WITH ORDINALITY AS a(value, n) ORDER BY a.n LOOP
    v_outcomes := v_outcomes || jsonb_build_array(
      ${s}.append_events(v_append->>'streamId', v_append->>'expected', v_append->'events'));
  END LOOP;
  RETURN v_outcomes;
END
$group$;
`

/**
 * Read-model rows carry the part of the row the GIN index holds (`row_index`: the fields its table is filtered on;
 * NULL for the whole row, as for every row written before this migration), so rows with many unique values (an
 * audit row has 15 fields, 4 of them filtered on) no longer fill the index with entries no query uses.
 */
export const readModelIndexedFields = (s: string): string => `
ALTER TABLE ${s}.read_model_rows ADD COLUMN row_index jsonb;
DROP INDEX ${s}.read_model_rows_value_idx;
CREATE INDEX read_model_rows_value_idx ON ${s}.read_model_rows USING gin ((coalesce(row_index, row_value)) jsonb_path_ops);
`

/**
 * The append function, version 3: the probe for already-stored event ids is an `= ANY (ids)` planned on every call
 * (dynamic SQL), so the planner sees how many ids there are and how large the table is now. Before, the probe joined
 * the events table with `jsonb_array_elements` (estimated at 100 rows whatever the batch) under a plan cached per
 * session: a session that first appended while the table was small kept a sequential scan of it on every later
 * append, growing with the table until an ANALYZE replanned it. Everything else is version 2, redefined in place.
 */
export const appendFunctionPlanningIdProbe = (s: string): string => {
  const previous = appendFunctionSkippingIdempotencyCheck(s)
  const probe = `IF EXISTS (
      SELECT 1 FROM ${s}.events AS e
       WHERE e.event_id IN (SELECT x.value->>'eventId' FROM jsonb_array_elements(p_events) AS x(value))) THEN`
  const planned = `EXECUTE 'SELECT EXISTS (SELECT 1 FROM ${s}.events AS e WHERE e.event_id = ANY ($1))' INTO v_known
      USING ARRAY(SELECT x.value->>'eventId' FROM jsonb_array_elements(p_events) AS x(value));
    IF v_known THEN`
  if (!previous.includes(probe)) throw new Error("append function version 2 no longer has the probe it replaces")
  return previous.replace("DECLARE\n", "DECLARE\n  v_known boolean;\n").replace(probe, planned)
}

/**
 * Keyed chains: the chain hash moves into one function, `chain_hash`, which is HMAC-SHA256 when given a key's HMAC
 * blocks (inner then outer, 128 bytes; PGlite has no pgcrypto, and an HMAC is two nested `sha256` calls) and the
 * plain SHA-256 of before otherwise. `chain_settings` records the fingerprint of the key a chain is keyed with
 * (never the key). The append function, version 4, reads the key from the transaction-local setting
 * `registrar.chain_key` (see `ChainKeySql`) and refuses, before taking a global position, to append without the
 * recorded key, with another key, or with a key to an unkeyed store that has events; an empty store is keyed by
 * its first keyed append. Everything else is version 3, redefined in place.
 */
export const keyedChain = (s: string): string => {
  const previous = appendFunctionPlanningIdProbe(s)
  const hashLine = `    v_hash := encode(sha256(convert_to(v_hash || E'\\n' || p_stream_id || E'\\n' || (v_version + i)::text || E'\\n'
                                       || (p_events->(i - 1)->>'digest'), 'UTF8')), 'hex');`
  const genesis = "  v_hash := coalesce(v_hash, repeat('0', 64));"
  if (!previous.includes(hashLine) || !previous.includes(genesis)) {
    throw new Error("append function version 3 no longer has the hash computation it replaces")
  }
  const keyCheck = `  SELECT key_fingerprint INTO v_recorded FROM ${s}.chain_settings;
  IF v_pads IS NULL THEN
    IF v_recorded IS NOT NULL THEN
      RETURN jsonb_build_object('status', 'key_missing');
    END IF;
  ELSE
    IF v_recorded IS NULL THEN
      IF EXISTS (SELECT 1 FROM ${s}.events) THEN
        RETURN jsonb_build_object('status', 'not_keyed');
      END IF;
      INSERT INTO ${s}.chain_settings (key_fingerprint, keyed_at_position)
      VALUES (${s}.chain_key_fingerprint(v_pads), 0) ON CONFLICT DO NOTHING;
      SELECT key_fingerprint INTO v_recorded FROM ${s}.chain_settings;
    END IF;
    IF v_recorded <> ${s}.chain_key_fingerprint(v_pads) THEN
      RETURN jsonb_build_object('status', 'wrong_key');
    END IF;
  END IF;

`
  const append = previous
    .replace(
      "DECLARE\n",
      "DECLARE\n  v_pads bytea := decode(nullif(current_setting('registrar.chain_key', true), ''), 'hex');\n  v_recorded text;\n"
    )
    .replace(genesis, `${keyCheck}${genesis}`)
    .replace(
      hashLine,
      `    v_hash := ${s}.chain_hash(v_pads, v_hash, p_stream_id, v_version + i, p_events->(i - 1)->>'digest');`
    )
  return `
CREATE TABLE ${s}.chain_settings (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  key_fingerprint text NOT NULL,
  keyed_at_position bigint NOT NULL,
  keyed_at timestamptz NOT NULL DEFAULT now()
);
CREATE FUNCTION ${s}.chain_hmac(p_pads bytea, p_text text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $hmac$
  SELECT encode(sha256(substring(p_pads FROM 65 FOR 64)
                       || sha256(substring(p_pads FROM 1 FOR 64) || convert_to(p_text, 'UTF8'))), 'hex')
$hmac$;
CREATE FUNCTION ${s}.chain_key_fingerprint(p_pads bytea)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $fingerprint$
  SELECT ${s}.chain_hmac(p_pads, 'registrar chain key fingerprint')
$fingerprint$;
CREATE FUNCTION ${s}.chain_hash(p_pads bytea, p_previous text, p_stream_id text, p_position bigint, p_digest text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $chain$
  SELECT CASE WHEN p_pads IS NULL THEN encode(sha256(convert_to(t.message, 'UTF8')), 'hex')
              ELSE ${s}.chain_hmac(p_pads, t.message) END
    FROM (SELECT p_previous || E'\\n' || p_stream_id || E'\\n' || p_position::text || E'\\n' || p_digest AS message) AS t
$chain$;
${append}`
}

/**
 * Multi-stream appends: several streams written in one statement and one transaction, all or nothing. Every stream's
 * lock is taken first in the global order of `append_group` (exclusive for a stream written, shared for a guard,
 * i.e. a write without events), so multi-stream appends and groups never deadlock and a guarded stream cannot move
 * until the commit. Then, before anything assigns a transaction id or a global position: the whole batch's
 * idempotency (a retry answers every write's original outcome; a partial match is `reused`) and every expected
 * version (the first conflict answers for all). Each stream is then written by `append_events`, so its hash chain
 * is computed in that one place only.
 */
export const appendManyFunction = (s: string): string => `
CREATE FUNCTION ${s}.append_many(p_writes jsonb)
RETURNS jsonb
LANGUAGE plpgsql
AS $many$
DECLARE
  v_key bigint;
  v_writes boolean;
  v_ids text[];
  v_known boolean;
  v_all_same boolean;
  v_transactions bigint;
  v_clash_event text;
  v_clash_stream text;
  v_write jsonb;
  v_index integer := 0;
  v_version bigint;
  v_expected text;
  v_outcome jsonb;
  v_outcomes jsonb := '[]'::jsonb;
  v_wrote boolean := false;
BEGIN
  FOR v_key, v_writes IN
    SELECT hashtextextended(w.value->>'streamId', 0), bool_or(jsonb_array_length(w.value->'events') > 0)
      FROM jsonb_array_elements(p_writes) AS w(value)
     GROUP BY 1 ORDER BY 1
  LOOP
    IF v_writes THEN
      PERFORM pg_advisory_xact_lock(v_key);
    ELSE
      PERFORM pg_advisory_xact_lock_shared(v_key);
    END IF;
  END LOOP;

  v_ids := ARRAY(SELECT x.value->>'eventId'
                   FROM jsonb_array_elements(p_writes) AS w(value), jsonb_array_elements(w.value->'events') AS x(value));
  IF cardinality(v_ids) > 0 THEN
    EXECUTE 'SELECT EXISTS (SELECT 1 FROM ${s}.events AS e WHERE e.event_id = ANY ($1))' INTO v_known USING v_ids;
    IF v_known THEN
      SELECT coalesce(bool_and(e.event_id IS NOT NULL AND e.stream_id = n.stream_id AND e.content_digest = n.digest), false),
             count(DISTINCT e.transaction_id),
             (array_agg(n.event_id ORDER BY n.w, n.x) FILTER (
                WHERE e.event_id IS NOT NULL AND NOT (e.stream_id = n.stream_id AND e.content_digest = n.digest)))[1],
             (array_agg(n.stream_id ORDER BY n.w, n.x) FILTER (
                WHERE e.event_id IS NOT NULL AND NOT (e.stream_id = n.stream_id AND e.content_digest = n.digest)))[1]
        INTO v_all_same, v_transactions, v_clash_event, v_clash_stream
        FROM (SELECT w.value->>'streamId' AS stream_id, x.value->>'eventId' AS event_id, x.value->>'digest' AS digest,
                     w.ordinality AS w, x.ordinality AS x
                FROM jsonb_array_elements(p_writes) WITH ORDINALITY AS w(value, ordinality),
                     jsonb_array_elements(w.value->'events') WITH ORDINALITY AS x(value, ordinality)) AS n
        LEFT JOIN ${s}.events AS e ON e.event_id = n.event_id;
      IF NOT (v_all_same AND v_transactions = 1) THEN
        RETURN jsonb_build_object('status', 'reused', 'eventId', coalesce(v_clash_event, v_ids[1]),
          'streamId', coalesce(v_clash_stream, p_writes->0->>'streamId'));
      END IF;
      FOR v_write IN SELECT w.value FROM jsonb_array_elements(p_writes) WITH ORDINALITY AS w(value, n) ORDER BY w.n LOOP
        IF jsonb_array_length(v_write->'events') = 0 THEN
          SELECT coalesce(max(version), 0) INTO v_version FROM ${s}.streams WHERE stream_id = v_write->>'streamId';
          v_outcome := jsonb_build_object('status', 'retried', 'version', v_version, 'positions', '[]'::jsonb,
            'transactionId', '0');
        ELSE
          SELECT jsonb_build_object('status', 'retried', 'version', max(e.stream_position),
                   'positions', jsonb_agg(e.global_position ORDER BY e.stream_position),
                   'transactionId', min(e.transaction_id::text))
            INTO v_outcome
            FROM ${s}.events AS e
           WHERE e.event_id = ANY (ARRAY(SELECT x.value->>'eventId' FROM jsonb_array_elements(v_write->'events') AS x(value)));
        END IF;
        v_outcomes := v_outcomes || jsonb_build_array(v_outcome);
      END LOOP;
      RETURN jsonb_build_object('status', 'retried', 'outcomes', v_outcomes);
    END IF;
  END IF;

  FOR v_write IN SELECT w.value FROM jsonb_array_elements(p_writes) WITH ORDINALITY AS w(value, n) ORDER BY w.n LOOP
    v_expected := v_write->>'expected';
    SELECT coalesce(max(version), 0) INTO v_version FROM ${s}.streams WHERE stream_id = v_write->>'streamId';
    IF NOT (v_expected = 'any'
            OR (v_expected = 'no_stream' AND v_version = 0)
            OR (v_expected = 'stream_exists' AND v_version > 0)
            OR (v_expected ~ '^[0-9]{1,18}$' AND v_version = v_expected::bigint)) THEN
      RETURN jsonb_build_object('status', 'conflict', 'index', v_index, 'actual', v_version);
    END IF;
    v_index := v_index + 1;
  END LOOP;

  v_index := 0;
  FOR v_write IN SELECT w.value FROM jsonb_array_elements(p_writes) WITH ORDINALITY AS w(value, n) ORDER BY w.n LOOP
    IF jsonb_array_length(v_write->'events') = 0 THEN
      SELECT coalesce(max(version), 0) INTO v_version FROM ${s}.streams WHERE stream_id = v_write->>'streamId';
      v_outcome := jsonb_build_object('status', 'appended', 'version', v_version, 'positions', '[]'::jsonb,
        'transactionId', '0');
    ELSE
      v_outcome := ${s}.append_events(v_write->>'streamId', v_write->>'expected', v_write->'events');
      -- A refusal that does not depend on the stream (e.g. the chain key, migration 10) comes from the first
      -- stream written, before anything is: it answers for the whole call.
      IF v_outcome->>'status' IS DISTINCT FROM 'appended' AND NOT v_wrote THEN
        RETURN jsonb_build_object('status', 'refused', 'index', v_index, 'outcome', v_outcome);
      END IF;
      IF v_outcome->>'status' IS DISTINCT FROM 'appended' THEN
        RAISE EXCEPTION 'stream % changed under its lock', v_write->>'streamId' USING ERRCODE = 'serialization_failure';
      END IF;
    END IF;
    v_wrote := v_wrote OR jsonb_array_length(v_write->'events') > 0;
    v_index := v_index + 1;
    v_outcomes := v_outcomes || jsonb_build_array(v_outcome);
  END LOOP;
  RETURN jsonb_build_object('status', 'appended', 'outcomes', v_outcomes);
END
$many$;
`

/**
 * Migration 11: artifact file contents, for a server on PostgreSQL (every process reads every file, no other
 * service). A blob is a row naming its upload and size; its bytes are rows of at most 1 MiB in `blob_chunks`, keyed
 * by upload so that a put can write before it knows the digest and concurrent puts of one content never collide.
 */
export const blobTables = (s: string): string => `
CREATE TABLE IF NOT EXISTS ${s}.blobs (
  sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  upload_id text NOT NULL UNIQUE,
  size bigint NOT NULL CHECK (size >= 0),
  chunks integer NOT NULL CHECK (chunks >= 0),
  stored_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ${s}.blob_chunks (
  upload_id text NOT NULL,
  n integer NOT NULL CHECK (n >= 0),
  data bytea NOT NULL,
  PRIMARY KEY (upload_id, n)
);
`

/**
 * Migration 12: indexes of `ArtifactLinked` events by the version index they linked and by their source version, so a collection
 * loaded from a summary snapshot looks up the versions a command names (PgLinkIndex) instead of loading them all.
 * Partial: only `ArtifactLinked` rows are indexed, so appends of every other event pay nothing.
 */
export const artifactLinkedIndexes = (s: string): string => `
CREATE INDEX events_artifact_linked_index_idx ON ${s}.events (stream_id, ((data->>'index')::bigint))
  WHERE type = 'ArtifactLinked';
CREATE INDEX events_artifact_linked_source_idx ON ${s}.events (stream_id, (data->'source'->>'name'),
  ((data->'source'->>'index')::bigint), (data->'source'->>'project'), (data->'source'->>'entity'),
  ((data->>'index')::bigint))
  WHERE type = 'ArtifactLinked';
`

/**
 * Migration 13: the read models as typed tables (ReadModelTables: `rm_<table>`, a column per row field, indexes on
 * the filtered fields and on what the filters need). The generic `read_model_rows` is dropped and the checkpoint goes
 * back to the origin, so the projector rebuilds every read model from the log (nothing is lost: the log holds it all).
 */
export const readModelTypedTables = (s: string): string => `
CREATE TABLE ${s}."rm_organizations" (
  row_key text COLLATE "C" NOT NULL CONSTRAINT "rm_organizations_pkey" PRIMARY KEY,
  "organization" text COLLATE "C",
  "display_name" text COLLATE "C",
  "created_at" timestamptz
);
CREATE INDEX "rm_organizations_display_name_idx" ON ${s}."rm_organizations" USING btree ("display_name", "row_key");
CREATE TABLE ${s}."rm_organization_members" (
  row_key text COLLATE "C" NOT NULL CONSTRAINT "rm_organization_members_pkey" PRIMARY KEY,
  "organization" text COLLATE "C",
  "user" text COLLATE "C",
  "role" text COLLATE "C"
);
CREATE INDEX "rm_organization_members_organization_idx" ON ${s}."rm_organization_members" USING btree ("organization", "row_key");
CREATE INDEX "rm_organization_members_user_idx" ON ${s}."rm_organization_members" USING btree ("user", "row_key");
CREATE TABLE ${s}."rm_teams" (
  row_key text COLLATE "C" NOT NULL CONSTRAINT "rm_teams_pkey" PRIMARY KEY,
  "team" text COLLATE "C",
  "organization" text COLLATE "C"
);
CREATE INDEX "rm_teams_organization_idx" ON ${s}."rm_teams" USING btree ("organization", "row_key");
CREATE TABLE ${s}."rm_team_members" (
  row_key text COLLATE "C" NOT NULL CONSTRAINT "rm_team_members_pkey" PRIMARY KEY,
  "team" text COLLATE "C",
  "organization" text COLLATE "C",
  "user" text COLLATE "C"
);
CREATE INDEX "rm_team_members_organization_idx" ON ${s}."rm_team_members" USING btree ("organization", "row_key");
CREATE INDEX "rm_team_members_user_idx" ON ${s}."rm_team_members" USING btree ("user", "row_key");
CREATE TABLE ${s}."rm_users" (
  row_key text COLLATE "C" NOT NULL CONSTRAINT "rm_users_pkey" PRIMARY KEY,
  "user" text COLLATE "C"
);
CREATE TABLE ${s}."rm_registries" (
  row_key text COLLATE "C" NOT NULL CONSTRAINT "rm_registries_pkey" PRIMARY KEY,
  "registry_id" text COLLATE "C",
  "organization" text COLLATE "C",
  "registry" text COLLATE "C",
  "visibility" text COLLATE "C",
  "description" text COLLATE "C",
  "protected_aliases" text[] COLLATE "C",
  "created_at" timestamptz,
  "created_by" text COLLATE "C"
);
CREATE INDEX "rm_registries_organization_idx" ON ${s}."rm_registries" USING btree ("organization", "row_key");
CREATE INDEX "rm_registries_registry_idx" ON ${s}."rm_registries" USING btree ("registry");
CREATE INDEX "rm_registries_created_at_idx" ON ${s}."rm_registries" USING btree ("created_at");
CREATE TABLE ${s}."rm_registry_grants" (
  row_key text COLLATE "C" NOT NULL CONSTRAINT "rm_registry_grants_pkey" PRIMARY KEY,
  "registry_key" text COLLATE "C",
  "principal" jsonb,
  "role" text COLLATE "C"
);
CREATE INDEX "rm_registry_grants_registry_key_idx" ON ${s}."rm_registry_grants" USING btree ("registry_key", "row_key");
CREATE TABLE ${s}."rm_registry_accepted_types" (
  row_key text COLLATE "C" NOT NULL CONSTRAINT "rm_registry_accepted_types_pkey" PRIMARY KEY,
  "registry_key" text COLLATE "C",
  "artifact_type" text COLLATE "C"
);
CREATE INDEX "rm_registry_accepted_types_registry_key_idx" ON ${s}."rm_registry_accepted_types" USING btree ("registry_key", "row_key");
CREATE TABLE ${s}."rm_collections" (
  row_key text COLLATE "C" NOT NULL CONSTRAINT "rm_collections_pkey" PRIMARY KEY,
  "organization" text COLLATE "C",
  "registry" text COLLATE "C",
  "collection_id" text COLLATE "C",
  "name" text COLLATE "C",
  "artifact_type" text COLLATE "C",
  "description" text COLLATE "C",
  "tags" text[] COLLATE "C",
  "created_at" timestamptz,
  "created_by" text COLLATE "C"
);
CREATE INDEX "rm_collections_organization_idx" ON ${s}."rm_collections" USING btree ("organization", "row_key");
CREATE INDEX "rm_collections_registry_idx" ON ${s}."rm_collections" USING btree ("registry", "row_key");
CREATE INDEX "rm_collections_name_idx" ON ${s}."rm_collections" USING btree ("name", "row_key");
CREATE INDEX "rm_collections_created_at_idx" ON ${s}."rm_collections" USING btree ("created_at");
CREATE TABLE ${s}."rm_linked_versions" (
  row_key text COLLATE "C" NOT NULL CONSTRAINT "rm_linked_versions_pkey" PRIMARY KEY,
  "organization" text COLLATE "C",
  "registry" text COLLATE "C",
  "collection_id" text COLLATE "C",
  "index" bigint,
  "source" jsonb,
  "source_key" text COLLATE "C",
  "artifact_type" text COLLATE "C",
  "digest" text COLLATE "C",
  "linked_at" timestamptz,
  "linked_by" text COLLATE "C"
);
CREATE INDEX "rm_linked_versions_collection_id_idx" ON ${s}."rm_linked_versions" USING btree ("collection_id", "row_key");
CREATE INDEX "rm_linked_versions_source_key_idx" ON ${s}."rm_linked_versions" USING btree ("source_key", "row_key");
CREATE INDEX "rm_linked_versions_collection_id_index_idx" ON ${s}."rm_linked_versions" USING btree ("collection_id", "index");
CREATE INDEX "rm_linked_versions_linked_at_idx" ON ${s}."rm_linked_versions" USING btree ("linked_at");
CREATE TABLE ${s}."rm_collection_aliases" (
  row_key text COLLATE "C" NOT NULL CONSTRAINT "rm_collection_aliases_pkey" PRIMARY KEY,
  "collection_id" text COLLATE "C",
  "alias" text COLLATE "C",
  "index" bigint,
  "linked_version" text COLLATE "C"
);
CREATE INDEX "rm_collection_aliases_collection_id_idx" ON ${s}."rm_collection_aliases" USING btree ("collection_id", "row_key");
CREATE INDEX "rm_collection_aliases_linked_version_idx" ON ${s}."rm_collection_aliases" USING btree ("linked_version", "row_key");
CREATE TABLE ${s}."rm_artifact_versions" (
  row_key text COLLATE "C" NOT NULL CONSTRAINT "rm_artifact_versions_pkey" PRIMARY KEY,
  "entity" text COLLATE "C",
  "project" text COLLATE "C",
  "name" text COLLATE "C",
  "artifact_key" text COLLATE "C",
  "index" bigint,
  "artifact_type" text COLLATE "C",
  "digest" text COLLATE "C",
  "files" jsonb,
  "metadata" jsonb,
  "description" text COLLATE "C",
  "logged_by" text COLLATE "C",
  "logged_at" timestamptz,
  "logged_by_user" text COLLATE "C",
  "deleted" boolean,
  "tags" text[] COLLATE "C"
);
CREATE INDEX "rm_artifact_versions_artifact_key_idx" ON ${s}."rm_artifact_versions" USING btree ("artifact_key", "row_key");
CREATE INDEX "rm_artifact_versions_entity_idx" ON ${s}."rm_artifact_versions" USING btree ("entity", "row_key");
CREATE INDEX "rm_artifact_versions_name_idx" ON ${s}."rm_artifact_versions" USING btree ("name");
CREATE INDEX "rm_artifact_versions_logged_at_idx" ON ${s}."rm_artifact_versions" USING btree ("logged_at");
CREATE INDEX "rm_artifact_versions_metadata_idx" ON ${s}."rm_artifact_versions" USING gin ("metadata" jsonb_path_ops);
CREATE TABLE ${s}."rm_artifact_aliases" (
  row_key text COLLATE "C" NOT NULL CONSTRAINT "rm_artifact_aliases_pkey" PRIMARY KEY,
  "artifact_key" text COLLATE "C",
  "alias" text COLLATE "C",
  "index" bigint
);
CREATE INDEX "rm_artifact_aliases_artifact_key_idx" ON ${s}."rm_artifact_aliases" USING btree ("artifact_key", "row_key");
CREATE TABLE ${s}."rm_lineage_edges" (
  row_key text COLLATE "C" NOT NULL CONSTRAINT "rm_lineage_edges_pkey" PRIMARY KEY,
  "kind" text COLLATE "C",
  "run" text COLLATE "C",
  "version" text COLLATE "C"
);
CREATE INDEX "rm_lineage_edges_run_idx" ON ${s}."rm_lineage_edges" USING btree ("run", "row_key");
CREATE INDEX "rm_lineage_edges_version_idx" ON ${s}."rm_lineage_edges" USING btree ("version", "row_key");
CREATE TABLE ${s}."rm_audit" (
  row_key text COLLATE "C" NOT NULL CONSTRAINT "rm_audit_pkey" PRIMARY KEY,
  "global_position" bigint,
  "transaction_id" bigint,
  "stream_id" text COLLATE "C",
  "stream_position" bigint,
  "event_id" text COLLATE "C",
  "type" text COLLATE "C",
  "schema_version" bigint,
  "actor" text COLLATE "C",
  "recorded_at" timestamptz,
  "hash" text COLLATE "C",
  "organization" text COLLATE "C",
  "registry" text COLLATE "C",
  "collection_id" text COLLATE "C",
  "entity" text COLLATE "C",
  "summary" text COLLATE "C"
);
CREATE INDEX "rm_audit_organization_idx" ON ${s}."rm_audit" USING btree ("organization", "row_key");
CREATE INDEX "rm_audit_registry_idx" ON ${s}."rm_audit" USING btree ("registry", "row_key");
CREATE INDEX "rm_audit_collection_id_idx" ON ${s}."rm_audit" USING btree ("collection_id", "row_key");
CREATE INDEX "rm_audit_actor_idx" ON ${s}."rm_audit" USING btree ("actor", "row_key");
DROP TABLE IF EXISTS ${s}.read_model_rows_rebuild;
DROP TABLE ${s}.read_model_rows;
UPDATE ${s}.read_model_checkpoint SET transaction_id = 0, global_position = 0;
`

/**
 * Migration 14: the automations dispatcher's checkpoint in the feed, and its leases (who matches events, who
 * delivers for each automation), shared by every server process of the schema. A lease row is taken when free or
 * expired, renewed by its holder, and lost when its holder stops renewing (a process that died).
 */
export const automationTables = (s: string): string => `
CREATE TABLE IF NOT EXISTS ${s}.automation_checkpoints (
  name text PRIMARY KEY,
  transaction_id xid8 NOT NULL,
  global_position bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS ${s}.automation_leases (
  name text PRIMARY KEY,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL
);
`

/**
 * Migration 15: the read-model indexes of fields a row may lack (the audit's organization, registry and collection,
 * which most events have none of) hold only the rows that have them (ReadModelTables, `partialOn`). Filters on these
 * fields are equalities, which imply the field is present, so the same queries use them.
 */
export const partialReadModelIndexes = (s: string): string =>
  ["organization", "registry", "collection_id"]
    .map(
      (column) => `DROP INDEX IF EXISTS ${s}."rm_audit_${column}_idx";
CREATE INDEX "rm_audit_${column}_idx" ON ${s}."rm_audit" USING btree ("${column}", "row_key") WHERE "${column}" IS NOT NULL;`
    )
    .join("\n")

/**
 * Migration 16: the audit rows of versions logged and linked (`VersionAssigned` and `ArtifactLinked` at schema
 * version 1, the bulk of any history) are read from the events table instead of being kept a second time
 * (AuditFromLog): indexes of those events by the audit's filters (a collection, an organization's registry, an
 * actor), each in feed order, and the kept copies are dropped.
 */
export const auditBesideLog = (s: string): string => `
CREATE INDEX events_audit_collection_idx ON ${s}.events
  (((data ->> 'collectionId') COLLATE "C"), transaction_id, global_position)
  WHERE type = 'ArtifactLinked' AND schema_version = 1;
CREATE INDEX events_audit_registry_idx ON ${s}.events
  (((data ->> 'organization') COLLATE "C"), ((data ->> 'registry') COLLATE "C"), transaction_id, global_position)
  WHERE type = 'ArtifactLinked' AND schema_version = 1;
CREATE INDEX events_audit_actor_idx ON ${s}.events
  (((metadata ->> 'actor') COLLATE "C"), transaction_id, global_position)
  WHERE (type = 'VersionAssigned' AND schema_version = 1) OR (type = 'ArtifactLinked' AND schema_version = 1);
DELETE FROM ${s}."rm_audit"
  WHERE (type = 'VersionAssigned' AND schema_version = 1) OR (type = 'ArtifactLinked' AND schema_version = 1);
`
