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

/** Another process holds the data directory for too long. */
export class StoreBusy extends Schema.TaggedError<StoreBusy>()("StoreBusy", {
  dataDir: Schema.String,
  pid: Schema.Number
}) {
  override get message() {
    return `The data directory "${this.dataDir}" is in use by process ${this.pid}. Wait for it to finish and retry (or remove "${this.dataDir}/lock" if no registrar process is running).`
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
