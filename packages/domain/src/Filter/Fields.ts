/**
 * The fields each level can be filtered and ordered on (docs/search.md#fields), and the kind of value each holds,
 * which decides the operators and operands it takes.
 */
import type { Level } from "./Ast.js"

/** What a field holds: text, a whole number, an instant, a list of texts, or free-form JSON (metadata). */
export type FieldKind = "text" | "number" | "time" | "texts" | "json"

/** The filter fields of each level, in the order the issue lists them. */
export const fieldsOf: Readonly<Record<Level, Readonly<Record<string, FieldKind>>>> = {
  registries: { id: "text", name: "text", description: "text", created_at: "time", updated_at: "time" },
  collections: {
    id: "text",
    name: "text",
    tag: "texts",
    description: "text",
    created_at: "time",
    updated_at: "time",
    type: "text"
  },
  versions: {
    id: "text",
    version: "number",
    tag: "texts",
    alias: "texts",
    metadata: "json",
    created_at: "time",
    updated_at: "time",
    type: "text",
    source: "text"
  }
}

/** The fields each level can be ordered on. */
export const orderFieldsOf: Readonly<Record<Level, ReadonlyArray<"name" | "created_at" | "updated_at" | "version">>> = {
  registries: ["name", "created_at", "updated_at"],
  collections: ["name", "created_at", "updated_at"],
  versions: ["version", "created_at", "updated_at"]
}

/** The prefix of every registry's project name; registry `name` operands are read with it, as W&B does. */
export const registryPrefix = "wandb-registry-"
