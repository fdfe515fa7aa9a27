/** Bodies of the governance endpoints: promote, an alias's history, diff and revert. */
import { Schema } from "effect"
import { AsOf, optional } from "./Models.js"

const Entries = Schema.Array(Schema.String).pipe(Schema.maxItems(100))
const Index = Schema.NullOr(Schema.Number)

/** A promotion in the path's registry: alias moves `COLLECTION:ALIAS=vN`, and expectations (`=vN` or `=none`). */
export const Promote = Schema.Struct({
  set: Entries,
  expect: optional(Entries)
}).annotations({ identifier: "Promote" })

/** What a promotion did: each move from where to where; `changed` false when every alias already pointed there. */
export const Promoted = Schema.Struct({
  organization: Schema.String,
  registry: Schema.String,
  changed: Schema.Boolean,
  moves: Schema.Array(
    Schema.Struct({
      collection: Schema.String,
      alias: Schema.String,
      from: Index,
      to: Schema.Number,
      changed: Schema.Boolean,
      fullName: Schema.String
    })
  )
}).annotations({ identifier: "Promoted" })

/** The query of an alias's history. */
export const AliasHistoryParams = Schema.Struct({ collection: optional(Schema.String), asOf: optional(AsOf) })

/** Every move of an alias in a registry: from which version to which (null: none), who and when. */
export const AliasHistory = Schema.Struct({
  organization: Schema.String,
  registry: Schema.String,
  alias: Schema.String,
  moves: Schema.Array(
    Schema.Struct({
      globalPosition: Schema.Number,
      recordedAt: Schema.String,
      actor: Schema.String,
      collection: Schema.String,
      alias: Schema.String,
      from: Index,
      to: Index
    })
  )
}).annotations({ identifier: "AliasHistory" })

/** The query of a diff: from a point, to another (default now). */
export const DiffParams = Schema.Struct({ from: AsOf, to: optional(AsOf) })

/** What changed in a registry between two points. */
export const Diff = Schema.Struct({
  organization: Schema.String,
  registry: Schema.String,
  changes: Schema.Array(
    Schema.Struct({
      change: Schema.String,
      subject: Schema.String,
      from: Schema.NullOr(Schema.String),
      to: Schema.NullOr(Schema.String)
    })
  )
}).annotations({ identifier: "Diff" })

/** A revert: the point to go back to; plan only, or revert what can be. */
export const Revert = Schema.Struct({
  to: AsOf,
  dryRun: optional(Schema.Boolean),
  partial: optional(Schema.Boolean)
}).annotations({ identifier: "Revert" })

/** What a revert did (or would do), and what it could not bring back. */
export const Reverted = Schema.Struct({
  organization: Schema.String,
  registry: Schema.String,
  applied: Schema.Boolean,
  steps: Schema.Array(Schema.Struct({ change: Schema.String, subject: Schema.String, detail: Schema.String })),
  unrevertible: Schema.Array(Schema.String)
}).annotations({ identifier: "Reverted" })

/** A tag put on or taken off a source version. */
export const Tagged = Schema.Struct({ reference: Schema.String, tag: Schema.String }).annotations({
  identifier: "Tagged"
})

// ---- by path: the forms people type, the organization optional (the paths group) ----------------------------------

const organizationParam = optional(
  Schema.String.annotations({ description: "Entity or display name; default: the caller's only organization" })
)
const registryParam = Schema.String.annotations({
  description: "The registry, with or without the wandb-registry- prefix"
})

/** A promotion by full paths: `[ORG/]wandb-registry-R/C:ALIAS=vN` moves, and expectations (`=vN` or `=none`). */
export const PromoteAt = Schema.Struct({
  set: Entries.annotations({ description: "[ORG/]wandb-registry-R/C:ALIAS=vN, all in one registry" }),
  expect: optional(Entries.annotations({ description: "[ORG/]wandb-registry-R/C:ALIAS=vN|none" }))
}).annotations({ identifier: "PromoteAt" })

/** The query of an alias's history by registry name, the organization optional. */
export const AliasHistoryQuery = Schema.Struct({
  organization: organizationParam,
  registry: registryParam,
  alias: Schema.String,
  ...AliasHistoryParams.fields
})

/** The query of a linked version's history: `[ORG/]wandb-registry-R/C:vN|alias`. */
export const VersionHistoryQuery = Schema.Struct({
  name: Schema.String.annotations({ description: "[ORG/]wandb-registry-R/C:vN|alias" }),
  asOf: optional(AsOf)
})

/** A linked version's history: linked, aliases gained and lost, tags, unlinked; who and when. */
export const VersionHistory = Schema.Struct({
  fullName: Schema.String,
  organization: Schema.String,
  registry: Schema.String,
  collection: Schema.String,
  version: Schema.Number,
  entries: Schema.Array(
    Schema.Struct({
      globalPosition: Schema.Number,
      recordedAt: Schema.String,
      actor: Schema.String,
      change: Schema.Literal("linked", "alias gained", "alias lost", "unlinked", "tagged", "untagged"),
      detail: Schema.String
    })
  )
}).annotations({ identifier: "VersionHistory" })

/** The query of a diff by registry name, the organization optional. */
export const DiffQuery = Schema.Struct({
  organization: organizationParam,
  registry: registryParam,
  ...DiffParams.fields
})

/** A revert by registry name, the organization optional. */
export const RevertAt = Schema.Struct({
  organization: organizationParam,
  registry: registryParam,
  ...Revert.fields
}).annotations({ identifier: "RevertAt" })

/** A tag of a source version, named as `entity/project/name:vN` or by a linked version (its source is tagged). */
export const TagAt = Schema.Struct({
  reference: Schema.String.annotations({
    description: "entity/project/name:vN|alias, or [ORG/]wandb-registry-R/C:vN|alias"
  }),
  tag: Schema.String
}).annotations({ identifier: "TagAt" })
