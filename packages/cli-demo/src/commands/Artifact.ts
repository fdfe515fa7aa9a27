/** `artifact`: log files as versions of a team's or user's artifact, record use by runs, list, download, delete. */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import {
  ArtifactVersionNotFound,
  parseAnyRef,
  parseSourceRef,
  printVersionSelector,
  type VersionSelector,
  REGISTRY_PREFIX
} from "@registrar/domain"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Blobs from "../Blobs.js"
import * as Browse from "../Browse.js"
import { asOfField, asOfOption, parseAsOf } from "../Common.js"
import { UsageError } from "../Errors.js"
import * as Output from "../Output.js"
import type * as RemoteFiles from "../RemoteFiles.js"
import { help, leaf } from "../Root.js"
import { tag } from "./Governance.js"
import { asUser } from "../Session.js"

/** Parses `key=value`; the value is JSON when it reads as JSON (numbers, true, null, …), else the text itself. */
export const parseMetadata = (pairs: ReadonlyArray<string>): Effect.Effect<Record<string, unknown>, UsageError> =>
  Effect.gen(function* () {
    const metadata: Record<string, unknown> = {}
    for (const pair of pairs) {
      const equals = pair.indexOf("=")
      if (equals <= 0) {
        return yield* Effect.fail(
          new UsageError({
            problem: `--metadata "${pair}" is not key=value`,
            fix: "write it as key=value, e.g. accuracy=0.93"
          })
        )
      }
      const key = pair.slice(0, equals)
      const text = pair.slice(equals + 1)
      let parsed: unknown = text
      try {
        parsed = JSON.parse(text)
      } catch {
        parsed = text
      }
      metadata[key] = parsed
    }
    return metadata
  })

const log = leaf(
  "log",
  {
    artifact: Args.text({ name: "entity/project/name" }).pipe(
      Args.withDescription("Where to log: a team (or your user) entity, a project and the artifact's name.")
    ),
    type: Options.text("type").pipe(
      Options.withPseudoName("TYPE"),
      Options.withDescription("The artifact type, e.g. dataset or model (fixed at v0).")
    ),
    files: Options.text("file").pipe(
      Options.withPseudoName("PATH"),
      Options.withDescription("A file to include, named by its base name (repeatable)."),
      Options.repeated
    ),
    dir: Options.text("dir").pipe(
      Options.withPseudoName("PATH"),
      Options.withDescription("A directory whose files are included, named by their path inside it."),
      Options.optional
    ),
    metadata: Options.text("metadata").pipe(
      Options.withPseudoName("key=value"),
      Options.withDescription(
        "Metadata (repeatable); numeric values are metrics that `collection show --metrics` compares."
      ),
      Options.repeated
    ),
    aliases: Options.text("alias").pipe(
      Options.withPseudoName("ALIAS"),
      Options.withDescription("An alias of the version (repeatable)."),
      Options.repeated
    ),
    run: Options.text("run").pipe(
      Options.withPseudoName("RUN"),
      Options.withDescription("The id of the run (in the same project) that produced this version, for lineage."),
      Options.optional
    ),
    description: Options.text("description").pipe(Options.withPseudoName("TEXT"), Options.optional)
  },
  help(
    "Log a version of an artifact: hash the files (sha256), keep them content-addressed in the data directory (against a server: upload each one, streamed, and check the sha256 it stored) and print entity/project/name:vN. Identical content gives back the newest version instead of a new one.",
    "registrar artifact log smle-reg-team-1/registry_quickstart/raw_images --type dataset --dir ./images --metadata rows=1200 --as bob"
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor, files: fileStore, transfer }) =>
      Effect.gen(function* () {
        const ref = yield* parseSourceRef(args.artifact)
        if (Option.isSome(ref.version)) {
          return yield* Effect.fail(
            new UsageError({
              problem: `"${args.artifact}" names a version`,
              fix: "log into entity/project/name; the version (vN) is assigned for you"
            })
          )
        }
        const metadata = yield* parseMetadata(args.metadata)
        const sources = yield* Blobs.collect(args.files, Option.getOrUndefined(args.dir))
        // On a local store the bytes go to its BlobStore; against a server, each file is uploaded (streamed).
        const manifest =
          fileStore !== undefined
            ? yield* Blobs.store(fileStore, sources)
            : yield* Effect.flatMap(transfer ?? Effect.die("no store and no server"), (remote) =>
                remote.upload(sources)
              )
        const logged = yield* registrar.logArtifact({
          actor,
          entity: ref.entity,
          project: ref.project,
          name: ref.name,
          type: args.type,
          files: manifest,
          metadata,
          aliases: args.aliases,
          ...Option.match(args.run, { onNone: () => ({}), onSome: (runId) => ({ runId }) }),
          ...Option.match(args.description, { onNone: () => ({}), onSome: (description) => ({ description }) })
        })
        if (!logged.created && !common.json) {
          yield* Output.note(`Identical content: ${logged.reference} is the newest version already.`)
        }
        yield* Output.emit(common, { ...logged, files: manifest }, () => logged.reference)
      })
    )
)

const runOf = (run: string, reference: string) =>
  Effect.gen(function* () {
    const parts = run.split("/")
    if (parts.length === 3 && parts.every((part) => part.length > 0)) {
      return { entity: parts[0]!, project: parts[1]!, runId: parts[2]! }
    }
    const parsed = yield* parseAnyRef(reference)
    if (parts.length === 1 && parsed._tag === "Source") {
      return { entity: parsed.ref.entity, project: parsed.ref.project, runId: run }
    }
    return yield* Effect.fail(
      new UsageError({ problem: `--run "${run}" does not name a run`, fix: "write it as entity/project/run-id" })
    )
  })

const use = leaf(
  "use",
  {
    reference: Args.text({ name: "ref" }).pipe(
      Args.withDescription(`entity/project/name[:vN|:alias] or a registry path ${REGISTRY_PREFIX}R/C[:vN|:alias].`)
    ),
    run: Options.text("run").pipe(
      Options.withPseudoName("RUN"),
      Options.withDescription(
        "The run that used it: entity/project/run-id (a bare run id means the artifact's project)."
      )
    )
  },
  help(
    "Record that a run used (consumed) an artifact version; a linked version records use of its source. This is lineage.",
    `registrar artifact use "${REGISTRY_PREFIX}Golden Datasets/raw_images:production" --run smle-reg-team-1/registry_quickstart/train-2 --as bob`
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.gen(function* () {
        const run = yield* runOf(args.run, args.reference)
        const used = yield* registrar.useArtifact({ actor, reference: args.reference, run })
        yield* Output.emit(common, used, () => `${run.entity}/${run.project}/${run.runId} used ${used.reference}`)
      })
    )
)

const selectVersion = <V extends { readonly index: number; readonly aliases: ReadonlyArray<string> }>(
  versions: ReadonlyArray<V>,
  selector: VersionSelector
) =>
  versions.find((version) =>
    selector._tag === "Index" ? version.index === selector.index : version.aliases.includes(selector.alias)
  )

const download = leaf(
  "download",
  {
    reference: Args.text({ name: "ref" }).pipe(
      Args.withDescription("A linked version's full or qualified name, or entity/project/name[:vN|:alias].")
    ),
    to: Options.directory("to").pipe(
      Options.withPseudoName("DIR"),
      Options.withDescription("The directory to write the files into (created).")
    ),
    asOf: asOfOption
  },
  help(
    "Download the files of a version, checking every file against its sha256 before writing anything. Against a server, streamed through a staging directory next to --to: a linked version (wandb-registry-R/C:vN) needs viewer or higher, a source version (entity/project/name:vN) its entity (your own user, or a team you belong to).",
    `registrar artifact download "${REGISTRY_PREFIX}Golden Datasets/raw_images:production" --to ./data --as bob`
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor, files: fileStore, transfer }) =>
      Effect.gen(function* () {
        const parsed = yield* parseAnyRef(args.reference)
        const asOf = yield* parseAsOf(args.asOf)
        let files: ReadonlyArray<Blobs.ManifestEntry>
        let name: string
        let onServer: RemoteFiles.LinkedVersion | RemoteFiles.SourceVersionOnServer | undefined
        if (parsed._tag === "Registry") {
          const resolved = yield* registrar.resolve({ actor, name: args.reference, ...asOfField(asOf) })
          // Against a server, the download endpoint applies the same access rule.
          if (fileStore !== undefined) {
            yield* Browse.requireUse(registrar, actor, resolved.organization, resolved.registry)
          }
          files = resolved.files
          name = resolved.fullName
          onServer = {
            organization: resolved.organization,
            registry: resolved.registry,
            collection: resolved.collection,
            version: resolved.version
          }
        } else {
          const { entity, project, name: artifact } = parsed.ref
          // Against a server, its entity's writers only: the server refuses the others (SourceFilesNotReadable).
          const readable =
            fileStore === undefined
              ? yield* registrar.sourceVersionFiles({ actor, reference: args.reference })
              : undefined
          const listed = yield* registrar.listArtifactVersions({
            actor,
            entity,
            project,
            name: artifact,
            ...asOfField(asOf)
          })
          const selector = Option.getOrElse(
            parsed.ref.version,
            (): VersionSelector => ({ _tag: "Alias", alias: "latest" })
          )
          const version = selectVersion(listed.versions, selector)
          if (version === undefined || version.deleted) {
            return yield* Effect.fail(
              new ArtifactVersionNotFound({
                reference: `${entity}/${project}/${artifact}:${printVersionSelector(selector)}`
              })
            )
          }
          files = version.files
          name = `${entity}/${project}/${artifact}:v${version.index}`
          if (readable !== undefined) onServer = { entity, project, name: artifact, version: version.index }
        }
        const written =
          fileStore !== undefined
            ? yield* Blobs.download(fileStore, files, args.to)
            : yield* Effect.flatMap(transfer ?? Effect.die("no store and no server"), (remote) =>
                remote.download(onServer!, files, args.to)
              )
        yield* Output.emit(common, { name, to: args.to, files }, () =>
          [
            `Downloaded ${name} to ${args.to} (${written.length} file${written.length === 1 ? "" : "s"}, every sha256 checked)`,
            Output.table(
              ["PATH", "SIZE", "SHA256"],
              files.map((file) => [file.path, String(file.size), file.sha256.slice(0, 12)])
            )
          ].join("\n")
        )
      })
    )
)

const versions = leaf(
  "versions",
  {
    artifact: Args.text({ name: "entity/project/name" }),
    asOf: asOfOption
  },
  help(
    "List the versions of a logged artifact with their aliases, digests, runs and metadata.",
    "registrar artifact versions smle-reg-team-1/registry_quickstart/zoo-classifier --as bob"
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.gen(function* () {
        const ref = yield* parseSourceRef(args.artifact)
        const asOf = yield* parseAsOf(args.asOf)
        const listed = yield* registrar.listArtifactVersions({
          actor,
          entity: ref.entity,
          project: ref.project,
          name: ref.name,
          ...asOfField(asOf)
        })
        yield* Output.emit(
          common,
          { artifact: `${ref.entity}/${ref.project}/${ref.name}`, versions: listed.versions },
          () =>
            Output.table(
              ["VERSION", "ALIASES", "TYPE", "FILES", "DIGEST", "LOGGED AT", "BY", "RUN", "METADATA", "TAGS"],
              listed.versions.map((version) => [
                `v${version.index}${version.deleted ? " (deleted)" : ""}`,
                Output.list(version.aliases),
                version.artifactType,
                String(version.files.length),
                version.digest.slice(0, 12),
                Output.time(version.loggedAt),
                version.loggedByUser,
                version.loggedBy ?? "-",
                Object.keys(version.metadata).length === 0 ? "-" : JSON.stringify(version.metadata),
                Output.list(version.tags ?? [])
              ]),
              "no versions"
            )
        )
      })
    )
)

const remove = leaf(
  "delete",
  { reference: Args.text({ name: "entity/project/name:vN" }) },
  help(
    "Delete a source version (refused while a link of it holds a protected alias); its links stay in the history.",
    "registrar artifact delete smle-reg-team-1/registry_quickstart/raw_images:v1 --as bob"
  ),
  (args, common) =>
    asUser(common, ({ registrar, actor }) =>
      Effect.flatMap(registrar.deleteArtifactVersion({ actor, reference: args.reference }), (result) =>
        Output.emit(common, result, () => `${result.deleted ? "Deleted" : "Already deleted:"} ${result.reference}`)
      )
    )
)

/** The `artifact` command and its subcommands. */
export const command = Command.make("artifact").pipe(
  Command.withDescription("Artifacts logged in team or user projects: log, use, download, list versions, delete."),
  Command.withSubcommands([log, use, download, versions, remove, tag])
)
