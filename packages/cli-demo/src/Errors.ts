/**
 * The command line's own rejections (the domain's are reported as they are): each names what was wrong and what to
 * do, in one line, like the domain's typed errors.
 */
import * as Schema from "effect/Schema"

/** No acting user was given. */
export class MissingUser extends Schema.TaggedError<MissingUser>()("MissingUser", {}) {
  override get message() {
    return "No user to act as. Pass --as USER or set REGISTRAR_USER (create users with `registrar user create`)."
  }
}

/** An option or argument has a value the command cannot use. */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", {
  problem: Schema.String,
  fix: Schema.String
}) {
  override get message() {
    return `${this.problem}: ${this.fix}.`
  }
}

/** A file or directory to log cannot be read. */
export class FileNotReadable extends Schema.TaggedError<FileNotReadable>()("FileNotReadable", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `Cannot read "${this.path}" (${this.reason}). Check the path given to --file or --dir.`
  }
}

/** A file of a version is not in this store's BlobStore (the data directory's, or the database's). */
export class BlobMissing extends Schema.TaggedError<BlobMissing>()("BlobMissing", {
  path: Schema.String,
  sha256: Schema.String,
  blobs: Schema.String
}) {
  override get message() {
    return `The content of "${this.path}" (sha256 ${this.sha256}) is not in ${this.blobs}; it was logged with another data directory or database. Use that store, or log the files again.`
  }
}

/** A stored file does not match the digest of the manifest. */
export class DigestMismatch extends Schema.TaggedError<DigestMismatch>()("DigestMismatch", {
  path: Schema.String,
  expected: Schema.String,
  actual: Schema.String
}) {
  override get message() {
    return `"${this.path}" is corrupt: its manifest says sha256 ${this.expected} but the stored content hashes to ${this.actual}. Nothing was written for it; restore the blob or log the file again.`
  }
}

/** Writing files failed. */
export class WriteFailed extends Schema.TaggedError<WriteFailed>()("WriteFailed", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `Cannot write "${this.path}" (${this.reason}). Check that the directory is writable.`
  }
}

/** Another process holds the data directory for too long, or `registrar serve` holds it (at `servedAt`). */
export class StoreBusy extends Schema.TaggedError<StoreBusy>()("StoreBusy", {
  dataDir: Schema.String,
  pid: Schema.Number,
  servedAt: Schema.optional(Schema.String)
}) {
  override get message() {
    return this.servedAt === undefined
      ? `The data directory "${this.dataDir}" is in use by process ${this.pid}. Wait for it to finish and retry (or remove "${this.dataDir}/lock" if no registrar process is running).`
      : `The data directory "${this.dataDir}" is served by \`registrar serve\` (process ${this.pid}) at ${this.servedAt}, which holds it while it runs. Run the command against the server: add --server ${this.servedAt} with your API key in REGISTRAR_API_KEY, or run \`registrar login ${this.servedAt}\` once.`
  }
}

/** The interactive walk found nothing to choose from. */
export class NothingToChoose extends Schema.TaggedError<NothingToChoose>()("NothingToChoose", {
  what: Schema.String,
  fix: Schema.String
}) {
  override get message() {
    return `There is no ${this.what} to choose from: ${this.fix}.`
  }
}

/** The server named for a remote command cannot be reached. */
export class ServerUnreachable extends Schema.TaggedError<ServerUnreachable>()("ServerUnreachable", {
  server: Schema.String,
  detail: Schema.String
}) {
  override get message() {
    return `Cannot reach the Registrar server at ${this.server} (${this.detail}). Check that it runs (registrar serve) and the URL (--server, $REGISTRAR_SERVER or \`registrar login URL\`).`
  }
}

/** The server answered something this CLI cannot read (another version of Registrar, or not Registrar at all). */
export class ServerAnswerInvalid extends Schema.TaggedError<ServerAnswerInvalid>()("ServerAnswerInvalid", {
  server: Schema.String,
  detail: Schema.String
}) {
  override get message() {
    return `The server at ${this.server} answered something this registrar cannot read (${this.detail}). Check that the URL is a Registrar server of the same version.`
  }
}

/** A command (or part of one) that runs on a local store only, asked of a server. */
export class NotAvailableRemotely extends Schema.TaggedError<NotAvailableRemotely>()("NotAvailableRemotely", {
  operation: Schema.String,
  fix: Schema.String
}) {
  override get message() {
    return `${this.operation} is not available against a server yet: ${this.fix}.`
  }
}

/** `--as` given to a command that runs against a server, where the actor is the API key's user. */
export class ActorFixedRemotely extends Schema.TaggedError<ActorFixedRemotely>()("ActorFixedRemotely", {
  server: Schema.String,
  given: Schema.String
}) {
  override get message() {
    return `--as "${this.given}" cannot be used against the server ${this.server}: there every command acts as the user of your API key. Drop --as, or log in with that user's key (registrar login ${this.server}).`
  }
}

/** A server was selected but no API key for it was given or stored. */
export class NotLoggedIn extends Schema.TaggedError<NotLoggedIn>()("NotLoggedIn", {
  server: Schema.String
}) {
  override get message() {
    return `No API key for the server ${this.server}. Run \`registrar login ${this.server}\`, or set REGISTRAR_API_KEY.`
  }
}

/** A file's bytes changed between this CLI and the server (its sha256 or size differ from what was sent or listed). */
export class TransferCorrupted extends Schema.TaggedError<TransferCorrupted>()("TransferCorrupted", {
  path: Schema.String,
  server: Schema.String,
  direction: Schema.Literal("upload", "download"),
  detail: Schema.String
}) {
  override get message() {
    return this.direction === "upload"
      ? `"${this.path}" did not arrive intact at ${this.server}: ${this.detail}. Nothing was logged; log it again.`
      : `"${this.path}" did not arrive intact from ${this.server}: ${this.detail}. Nothing was written; retry, and if it fails again the server's stored copy is corrupt: ask its operator to restore it (GET …/verify lists the damaged files).`
  }
}
