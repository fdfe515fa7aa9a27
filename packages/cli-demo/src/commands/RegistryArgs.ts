/**
 * What the registry-level commands share: the registry argument in every form W&B accepts (`ORG/wandb-registry-R`,
 * `wandb-registry-R`, or `R` with `--org`), `--org`, and finding a registry's organization.
 */
import * as Args from "@effect/cli/Args"
import * as Options from "@effect/cli/Options"
import {
  type InvalidName,
  REGISTRY_PREFIX,
  registryNameOf,
  validateRegistryName,
  validateRegistryProjectName
} from "@registrar/domain"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { UsageError } from "../Errors.js"
import type { RegistrarClient } from "../Remote.js"

/** A registry name without the `wandb-registry-` prefix (either form is accepted). */
export const bareName = (name: string): string => registryNameOf(name)

/** The registry positional argument, in any of the accepted forms. */
export const registryArg = Args.text({ name: "registry" }).pipe(
  Args.withDescription(
    `The registry: ORG/${REGISTRY_PREFIX}NAME, ${REGISTRY_PREFIX}NAME, or NAME (the organization from --org, $REGISTRAR_ORG, or your only one).`
  )
)

/** The optional `--org` of registry commands. */
export const orgOption = Options.text("org").pipe(
  Options.withPseudoName("ORG"),
  Options.withDescription("The organization (entity or display name); default: your only one, or $REGISTRAR_ORG."),
  Options.optional
)

/** The `organization` field of a request, present only when an organization was named. */
export const orgField = (org: Option.Option<string>) =>
  Option.match(org, { onNone: () => ({}), onSome: (organization) => ({ organization }) })

/** A registry as a command names it: its organization when the path or `--org` names one, and its bare name. */
export interface RegistryRef {
  readonly organization: Option.Option<string>
  /** Without the `wandb-registry-` prefix. */
  readonly registry: string
}

/**
 * Parses the registry argument: `ORG/wandb-registry-NAME`, `wandb-registry-NAME` or `NAME`, checking the registry
 * name rules. An `ORG/` prefix and a different `--org` contradict each other and are refused.
 */
export const parseRegistryRef = (
  value: string,
  org: Option.Option<string>
): Effect.Effect<RegistryRef, UsageError | InvalidName> =>
  Effect.gen(function* () {
    const slash = value.indexOf("/")
    if (slash === -1) {
      const registry = yield* value.startsWith(REGISTRY_PREFIX)
        ? validateRegistryProjectName(value)
        : validateRegistryName(value)
      return { organization: org, registry }
    }
    const prefix = value.slice(0, slash)
    const project = value.slice(slash + 1)
    if (prefix.length === 0 || !project.startsWith(REGISTRY_PREFIX)) {
      return yield* Effect.fail(
        new UsageError({
          problem: `"${value}" is not a registry`,
          fix: `name it ORG/${REGISTRY_PREFIX}NAME, ${REGISTRY_PREFIX}NAME, or NAME with --org ORG`
        })
      )
    }
    if (Option.isSome(org) && org.value !== prefix) {
      return yield* Effect.fail(
        new UsageError({
          problem: `"${value}" names organization "${prefix}" but --org names "${org.value}"`,
          fix: "give the organization once, in the path or with --org"
        })
      )
    }
    const registry = yield* validateRegistryProjectName(project)
    return { organization: Option.some(prefix), registry }
  })

/** A registry with the organization entity that owns it. */
export interface LocatedRegistry {
  readonly organization: string
  readonly registry: string
}

/**
 * The registry the argument names, with its organization entity: the one the path or `--org` names (its entity name
 * is looked up, so display names work), else the one the actor's default resolves to (the actor must see it).
 */
export const locateRegistry = (
  registrar: RegistrarClient,
  actor: string,
  value: string,
  org: Option.Option<string>
): Effect.Effect<LocatedRegistry, unknown> =>
  Effect.gen(function* () {
    const ref = yield* parseRegistryRef(value, org)
    const shown = yield* registrar.showRegistry({ actor, registry: ref.registry, ...orgField(ref.organization) })
    return { organization: shown.registry.organization, registry: ref.registry }
  })
