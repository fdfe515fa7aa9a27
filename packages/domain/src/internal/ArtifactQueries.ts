/**
 * Queries on source artifact versions: one version by index or alias, and every version of an artifact with its
 * aliases (`latest` is the highest version not deleted). Re-exported by `ReadModels`.
 */
import { Array as Arr, Effect, Option } from "effect"
import type { VersionSelector } from "../Paths.js"
import { getAs, listAs, type Query } from "./ReadModelQueries.js"
import { type ArtifactAliasRow, type ArtifactVersionRow, Key, Table } from "./ReadModelSchema.js"

/** A source artifact version with its aliases (`latest` first when it points there). */
export interface ArtifactVersionView extends ArtifactVersionRow {
  readonly aliases: ReadonlyArray<string>
}

/** Every version of an artifact, by index, and the index `latest` points at. */
export interface ArtifactVersions {
  readonly versions: ReadonlyArray<ArtifactVersionView>
  readonly latest: Option.Option<number>
}

const latestOf = (versions: ReadonlyArray<ArtifactVersionRow>): Option.Option<number> =>
  Option.map(
    Arr.findLast(versions, (version) => !version.deleted),
    (version) => version.index
  )

/**
 * The index `latest` points at, read from the top: keys of an artifact's versions sort by index, so the first
 * version not deleted walking down from the highest key is the latest (a resolve does not read every version).
 */
const latestVersion = (artifactKey: string): Query<Option.Option<number>> =>
  Effect.gen(function* () {
    const batch = 8
    let after: string | undefined
    for (;;) {
      const rows = yield* listAs<ArtifactVersionRow>(Table.artifactVersions, undefined, {
        prefix: `${artifactKey}:v`,
        descending: true,
        limit: batch,
        ...(after === undefined ? {} : { after })
      })
      const found = rows.find((version) => !version.deleted)
      if (found !== undefined) return Option.some(found.index)
      const last = rows[rows.length - 1]
      if (rows.length < batch || last === undefined) return Option.none()
      after = Key.artifactVersion(artifactKey, last.index)
    }
  })

const view = (
  version: ArtifactVersionRow,
  aliases: ReadonlyArray<ArtifactAliasRow>,
  latest: Option.Option<number>
): ArtifactVersionView => ({
  ...version,
  aliases: [
    ...(Option.contains(latest, version.index) ? ["latest"] : []),
    ...aliases.filter((alias) => alias.index === version.index).map((alias) => alias.alias)
  ]
})

/** A source version row with its aliases. */
export const artifactVersionView = (version: ArtifactVersionRow): Query<ArtifactVersionView> =>
  Effect.gen(function* () {
    const { artifactKey } = version
    const [latest, aliases] = yield* Effect.all(
      [latestVersion(artifactKey), listAs<ArtifactAliasRow>(Table.artifactAliases, { artifactKey })],
      { concurrency: 2 }
    )
    return view(version, aliases, latest)
  })

/** Every version of `entity/project/name`, with aliases, and `latest`. */
export const listArtifactVersions = (entity: string, project: string, name: string): Query<ArtifactVersions> =>
  Effect.gen(function* () {
    const artifactKey = `${entity}/${project}/${name}`
    const versions = yield* listAs<ArtifactVersionRow>(Table.artifactVersions, { artifactKey })
    const aliases = yield* listAs<ArtifactAliasRow>(Table.artifactAliases, { artifactKey })
    const latest = latestOf(versions)
    return { versions: versions.map((version) => view(version, aliases, latest)), latest }
  })

/** An artifact of an entity: its project, name and type, how many versions it has (not deleted) and `latest`. */
export interface ArtifactSummary {
  readonly project: string
  readonly name: string
  readonly artifactType: string
  readonly versions: number
  readonly latest: number | null
}

/** The artifacts logged under `entity` (every project), by project and name; those with no live version left out. */
export const listArtifacts = (entity: string): Query<ReadonlyArray<ArtifactSummary>> =>
  Effect.gen(function* () {
    const rows = yield* listAs<ArtifactVersionRow>(Table.artifactVersions, { entity })
    const byKey = new Map<string, Array<ArtifactVersionRow>>()
    for (const row of rows) byKey.set(row.artifactKey, [...(byKey.get(row.artifactKey) ?? []), row])
    return [...byKey.values()]
      .map((versions) => {
        const sorted = [...versions].sort((a, b) => a.index - b.index)
        const live = sorted.filter((version) => !version.deleted)
        const first = sorted[0]!
        return {
          project: first.project,
          name: first.name,
          artifactType: first.artifactType,
          versions: live.length,
          latest: Option.getOrNull(latestOf(sorted))
        }
      })
      .filter((artifact) => artifact.versions > 0)
      .sort((a, b) => (a.project === b.project ? a.name.localeCompare(b.name) : a.project.localeCompare(b.project)))
  })

/**
 * One version of `entity/project/name` by index (deleted versions included, flagged) or by alias (`latest`
 * included; a deleted version holds no alias).
 */
export const findArtifactVersion = (
  entity: string,
  project: string,
  name: string,
  selector: VersionSelector
): Query<Option.Option<ArtifactVersionView>> =>
  Effect.gen(function* () {
    const artifactKey = `${entity}/${project}/${name}`
    let index: Option.Option<number>
    if (selector._tag === "Index") index = Option.some(selector.index)
    else if (selector.alias === "latest") {
      index = yield* latestVersion(artifactKey)
    } else {
      const alias = yield* getAs<ArtifactAliasRow>(
        Table.artifactAliases,
        Key.artifactAlias(artifactKey, selector.alias)
      )
      index = Option.map(alias, (found) => found.index)
    }
    if (Option.isNone(index)) return Option.none()
    const version = yield* getAs<ArtifactVersionRow>(
      Table.artifactVersions,
      Key.artifactVersion(artifactKey, index.value)
    )
    if (Option.isNone(version) || (selector._tag === "Alias" && version.value.deleted)) return Option.none()
    return Option.some(yield* artifactVersionView(version.value))
  })
