/** What the `registry` commands share: the registry argument, `--org`, and finding a registry's organization. */
import * as Args from "@effect/cli/Args"
import * as Options from "@effect/cli/Options"
import type { RegistrarShape } from "@registrar/domain"
import { REGISTRY_PREFIX, registryNameOf } from "@registrar/domain"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** A registry name without the `wandb-registry-` prefix (either form is accepted). */
export const bareName = (name: string): string => registryNameOf(name)

/** The registry positional argument (with or without the prefix). */
export const registryArg = Args.text({ name: "registry" }).pipe(
  Args.withDescription(`The registry name, with or without the "${REGISTRY_PREFIX}" prefix.`)
)

/** The optional `--org` of registry commands. */
export const orgOption = Options.text("org").pipe(
  Options.withPseudoName("ORG"),
  Options.withDescription("The organization (entity or display name); default: your only one, or $REGISTRAR_ORG."),
  Options.optional
)

/** The `organization` field of a request, present only when `--org` was given. */
export const orgField = (org: Option.Option<string>) =>
  Option.match(org, { onNone: () => ({}), onSome: (organization) => ({ organization }) })

/** The organization entity of a registry the actor can see (the given one, else the actor's only one). */
export const organizationOf = (
  registrar: RegistrarShape,
  actor: string,
  org: Option.Option<string>,
  registry: string
): Effect.Effect<string, unknown> =>
  Effect.map(
    registrar.showRegistry({ actor, registry: bareName(registry), ...orgField(org) }),
    (shown) => shown.registry.organization
  )
