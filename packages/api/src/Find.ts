/**
 * The filter-language listings over HTTP (docs/search.md): registries, collections and linked versions of an
 * organization that match W&B filters, ordered and paged by opaque cursor, live or as of a past point. Filters travel
 * as JSON text in the query; a refused filter, order, cursor or page size is a 400 problem document naming the fault.
 */
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as OpenApi from "@effect/platform/OpenApi"
import { JsonValue } from "./Problem.js"
import { Visibility } from "@registrar/domain"
import { Schema } from "effect"
import { Authentication } from "./Authentication.js"
import { AsOf, optional } from "./Models.js"

const filterParam = (what: string) =>
  optional(
    Schema.String.annotations({ description: `A W&B filter on ${what}, as JSON (e.g. {"name": {"$regex": "^m"}})` })
  )

const common = {
  organization: optional(
    Schema.String.annotations({ description: "Entity or display name; default: the caller's only organization" })
  ),
  order: optional(Schema.String.annotations({ description: "name, +name, -created_at, … (see docs/search.md)" })),
  pageSize: optional(Schema.NumberFromString.annotations({ description: "Items per page (1..1000, default 100)" })),
  cursor: optional(Schema.String.annotations({ description: "The nextCursor of the previous page" })),
  asOf: optional(AsOf)
}

/** The query of `GET /find/registries`. */
export const FindRegistriesQuery = Schema.Struct({ ...common, filter: filterParam("registries") })

/** The query of `GET /find/collections`: the registries to look in, and the collections' filter. */
export const FindCollectionsQuery = Schema.Struct({
  ...common,
  registryFilter: filterParam("registries"),
  filter: filterParam("collections")
})

/** The query of `GET /find/versions`: the registries and collections to look in, and the versions' filter. */
export const FindVersionsQuery = Schema.Struct({
  ...common,
  registryFilter: filterParam("registries"),
  collectionFilter: filterParam("collections"),
  filter: filterParam("versions")
})

/** A registry a filter found. */
export const FoundRegistry = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  path: Schema.String,
  description: Schema.String,
  visibility: Visibility,
  createdAt: Schema.String,
  createdBy: Schema.String,
  updatedAt: Schema.String
}).annotations({ identifier: "FoundRegistry" })

/** A collection a filter found. */
export const FoundCollection = Schema.Struct({
  id: Schema.String,
  registry: Schema.String,
  name: Schema.String,
  path: Schema.String,
  type: Schema.String,
  description: Schema.String,
  tags: Schema.Array(Schema.String),
  createdAt: Schema.String,
  createdBy: Schema.String,
  updatedAt: Schema.String
}).annotations({ identifier: "FoundCollection" })

/** A linked version a filter found. */
export const FoundVersion = Schema.Struct({
  id: Schema.String,
  registry: Schema.String,
  collection: Schema.String,
  collectionId: Schema.String,
  path: Schema.String,
  version: Schema.Number,
  aliases: Schema.Array(Schema.String),
  tags: Schema.Array(Schema.String),
  metadata: Schema.Record({ key: Schema.String, value: JsonValue }),
  description: Schema.String,
  source: Schema.String,
  type: Schema.String,
  digest: Schema.String,
  createdAt: Schema.String,
  createdBy: Schema.String,
  updatedAt: Schema.String
}).annotations({ identifier: "FoundVersion" })

/** A page of a filtered listing, naming the organization, with the cursor of the next page (null on the last). */
export const FoundPage = <A, I, R>(item: Schema.Schema<A, I, R>) =>
  Schema.Struct({ organization: Schema.String, items: Schema.Array(item), nextCursor: Schema.NullOr(Schema.String) })

/** The filter-language listings. */
export class FindGroup extends HttpApiGroup.make("find")
  .add(
    HttpApiEndpoint.get("findRegistries", "/find/registries")
      .setUrlParams(FindRegistriesQuery)
      .addSuccess(FoundPage(FoundRegistry))
  )
  .add(
    HttpApiEndpoint.get("findCollections", "/find/collections")
      .setUrlParams(FindCollectionsQuery)
      .addSuccess(FoundPage(FoundCollection))
  )
  .add(
    HttpApiEndpoint.get("findVersions", "/find/versions")
      .setUrlParams(FindVersionsQuery)
      .addSuccess(FoundPage(FoundVersion))
  )
  .middleware(Authentication)
  .annotate(
    OpenApi.Description,
    "Registries, collections and linked versions that match W&B filters (JSON), ordered, paged by cursor, as of a past point"
  ) {}
