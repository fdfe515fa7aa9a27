/**
 * `link --interactive`: the registry app's "Link to registry" sidebar as prompts — team → project → artifact →
 * version → registry → collection (or a new one) → aliases → confirm.
 */
import * as Prompt from "@effect/cli/Prompt"
import { collectionPath, registryProjectName } from "@registrar/domain"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Browse from "../Browse.js"
import { NothingToChoose, UsageError } from "../Errors.js"
import * as Output from "../Output.js"
import { shellQuote } from "../Snippets.js"
import type { RegistrarClient } from "../Remote.js"

/** What the person chose: the source version, the collection and the aliases. */
export interface ChosenLink {
  readonly source: string
  readonly target: string
  readonly aliases: ReadonlyArray<string>
}

const choose = <A>(
  message: string,
  choices: ReadonlyArray<{ readonly title: string; readonly value: A; readonly description?: string }>
) => Prompt.run(Prompt.select({ message, choices, maxPerPage: 12 }))

const nonEmpty = <A>(items: ReadonlyArray<A>, what: string, fix: string) =>
  items.length === 0 ? Effect.fail(new NothingToChoose({ what, fix })) : Effect.succeed(items)

const newCollection = Symbol("new collection")

/** Walks the person through choosing a link; none when they decline at the end. */
export const chooseLink = (registrar: RegistrarClient, actor: string) =>
  Effect.gen(function* () {
    const teams = yield* nonEmpty(
      yield* Browse.teamsOf(registrar, actor),
      "team",
      "only artifacts logged under a team can be linked; ask an organization admin to add you to a team"
    )
    const team = yield* choose(
      "Team",
      teams.map((membership) => ({ title: membership.team, value: membership, description: membership.organization }))
    )
    const artifacts = yield* nonEmpty(
      yield* Browse.artifactsOf(registrar, team.team),
      `artifact logged under ${team.team}`,
      `log one first with \`registrar artifact log ${team.team}/PROJECT/NAME --type TYPE --file PATH\``
    )
    const projects = [...new Set(artifacts.map((artifact) => artifact.project))]
    const project = yield* choose(
      "Project",
      projects.map((name) => ({ title: name, value: name }))
    )
    const artifact = yield* choose(
      "Artifact",
      artifacts
        .filter((candidate) => candidate.project === project)
        .map((candidate) => ({
          title: candidate.name,
          value: candidate,
          description: `${candidate.artifactType}, ${candidate.versions} version${candidate.versions === 1 ? "" : "s"}`
        }))
    )
    const listed = yield* registrar.listArtifactVersions({
      actor,
      entity: team.team,
      project,
      name: artifact.name
    })
    const versions = [...listed.versions].filter((version) => !version.deleted).reverse()
    const version = yield* choose(
      "Version",
      versions.map((candidate) => ({
        title: `v${candidate.index}${candidate.aliases.length === 0 ? "" : ` (${candidate.aliases.join(", ")})`}`,
        value: candidate,
        description: `logged ${candidate.loggedAt} by ${candidate.loggedByUser}`
      }))
    )
    const registries = yield* nonEmpty(
      (yield* registrar.listRegistries({ actor, organization: team.organization })).registries.filter(
        (registry) => registry.acceptedTypes.length === 0 || registry.acceptedTypes.includes(artifact.artifactType)
      ),
      `registry of ${team.organization} that accepts "${artifact.artifactType}"`,
      "ask an organization admin to create one (registries are never created implicitly)"
    )
    const registry = yield* choose(
      "Registry",
      registries.map((candidate) => ({
        title: registryProjectName(candidate.registry),
        value: candidate.registry,
        description: candidate.acceptedTypes.length === 0 ? "every type" : candidate.acceptedTypes.join(", ")
      }))
    )
    const collections = (yield* registrar.listCollections({
      actor,
      organization: team.organization,
      registry
    })).filter((collection) => collection.artifactType === artifact.artifactType)
    const picked = yield* choose<string | typeof newCollection>("Collection", [
      ...collections.map((collection) => ({
        title: collection.name,
        value: collection.name,
        description: `${collection.versionCount} version${collection.versionCount === 1 ? "" : "s"}`
      })),
      { title: "New collection…", value: newCollection, description: `a new ${artifact.artifactType} collection` }
    ])
    const collection =
      picked === newCollection
        ? yield* Prompt.run(
            Prompt.text({
              message: "New collection name",
              default: artifact.name,
              validate: (value) =>
                value.trim().length === 0 || value.includes("/")
                  ? Effect.fail("a collection name is 1 to 128 characters without /")
                  : Effect.succeed(value.trim())
            })
          )
        : picked
    const aliasText = yield* Prompt.run(
      Prompt.text({ message: "Aliases (comma-separated, empty for none)", default: "" })
    )
    const aliases = aliasText
      .split(",")
      .map((alias) => alias.trim())
      .filter((alias) => alias.length > 0)
    const source = `${team.team}/${project}/${artifact.name}:v${version.index}`
    const target = `${team.organization}/${collectionPath(registry, collection)}`
    const confirmed = yield* Prompt.run(
      Prompt.confirm({
        message: `Link ${source} into ${target}${aliases.length === 0 ? "" : ` with ${aliases.join(", ")}`}?`,
        initial: true
      })
    )
    process.stderr.write(
      Output.forTerminal(
        `The same link from a script: registrar link ${shellQuote(source)} ${shellQuote(target)}${aliases
          .map((alias) => ` --alias ${shellQuote(alias)}`)
          .join("")}\n`
      )
    )
    return confirmed ? Option.some<ChosenLink>({ source, target, aliases }) : Option.none<ChosenLink>()
  }).pipe(
    Effect.catchIf(
      (error): boolean => (error as { _tag?: unknown } | undefined)?._tag === "QuitException",
      () => {
        // The prompt was left mid-line: the error goes on a line of its own.
        process.stderr.write("\n")
        return Effect.fail(
          process.stdin.readableEnded
            ? new UsageError({
                problem: "Standard input ended before every prompt was answered",
                fix: "run it in a terminal, or give one answer per prompt on standard input; nothing was linked"
              })
            : new UsageError({ problem: "Linking cancelled", fix: "nothing was linked; run it again when ready" })
        )
      }
    )
  )
