/**
 * Errors on the wire: every failure is an `application/problem+json` document (RFC 9457) that carries the typed
 * error's tag (`title`, `code` and `_tag`), its message (`detail`), its HTTP status and its fields. `problem` turns a
 * `Schema.TaggedError` into such a document with a status, so the server encodes it and a derived client decodes it
 * back into the same typed error.
 */
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import { ParseResult, Schema } from "effect"

/** Any JSON value (documented as such: the generator's default gives every unknown value one `$id`, which is invalid). */
export const JsonValue = Schema.Unknown.annotations({
  jsonSchema: {
    anyOf: [
      { type: "string" },
      { type: "number" },
      { type: "boolean" },
      { type: "null" },
      { type: "object" },
      { type: "array" }
    ]
  }
})

/** The problem document every error response carries. */
export const ProblemDocument = Schema.Struct(
  {
    type: Schema.String.annotations({ description: "A URI naming the kind of problem: urn:registrar:problem:<code>" }),
    title: Schema.String.annotations({ description: "The error's tag" }),
    status: Schema.Number,
    detail: Schema.String.annotations({ description: "What went wrong and what to do, for people" }),
    code: Schema.String.annotations({ description: "The error's tag, for programs" })
  },
  Schema.Record({ key: Schema.String, value: JsonValue })
).annotations({ identifier: "Problem", description: "An RFC 9457 problem document; the error's fields follow." })

/** The encoded form of a problem document. */
export type ProblemDocument = typeof ProblemDocument.Type

/** The content type of every error response. */
export const PROBLEM_CONTENT_TYPE = "application/problem+json"

/** The `type` of a problem with this tag. */
export const problemType = (tag: string): string => `urn:registrar:problem:${tag}`

/** Builds the problem document of a tagged error with a message. */
export const toDocument = (
  error: { readonly _tag: string; readonly message: string },
  status: number,
  fields: object = {}
): ProblemDocument => ({
  ...fields,
  type: problemType(error._tag),
  title: error._tag,
  status,
  detail: error.message,
  code: error._tag
})

/**
 * A typed error as a problem document with an HTTP status: the server encodes the error as the document, a client
 * decodes the document back into the error.
 */
export const problem = <A extends { readonly _tag: string; readonly message: string }, I, R>(
  error: Schema.Schema<A, I, R>,
  status: number
): Schema.Schema<A, ProblemDocument, R> =>
  Schema.transformOrFail(ProblemDocument, Schema.typeSchema(error), {
    strict: true,
    decode: (document) => ParseResult.decodeUnknown(error)({ ...document, _tag: document.code }),
    encode: (value) =>
      ParseResult.map(ParseResult.encodeUnknown(error)(value), (fields) => toDocument(value, status, fields as object))
  }).pipe(HttpApiSchema.withEncoding({ kind: "Json", contentType: PROBLEM_CONTENT_TYPE }), (schema) =>
    schema.annotations(HttpApiSchema.annotations({ status }))
  )

// ---- the API's own errors (the domain's are in Errors.ts) -------------------------------------------------------

/** No credentials, or credentials that are not valid. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {
  reason: Schema.String
}) {
  override get message() {
    return `${this.reason} Send "Authorization: Bearer <key>" with a valid key; from the command line, \`registrar login URL\` stores one (or set REGISTRAR_API_KEY). An admin creates keys with \`registrar api-key create --user USER\`.`
  }
}

/** The request does not match what the endpoint accepts (path, query, headers or body). */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", {
  problem: Schema.String
}) {
  override get message() {
    return `The request is not valid: ${this.problem}. Check it against /openapi.json.`
  }
}

/** A pagination cursor that this server did not hand out. */
export class InvalidCursor extends Schema.TaggedError<InvalidCursor>()("InvalidCursor", {}) {
  override get message() {
    return "The cursor is not one this server handed out. Pass the nextCursor of the previous page unchanged, or omit it to start over."
  }
}

/** The request body is larger than the server accepts. */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()("PayloadTooLarge", {
  limitBytes: Schema.Number
}) {
  override get message() {
    return `The request body is larger than this server accepts (${this.limitBytes} bytes). Send a smaller body.`
  }
}

/** No endpoint has that method and path. */
export class RouteNotFound extends Schema.TaggedError<RouteNotFound>()("RouteNotFound", {
  method: Schema.String,
  path: Schema.String
}) {
  override get message() {
    return `There is no endpoint ${this.method} ${this.path}. See /openapi.json or /docs for the endpoints.`
  }
}

/** Something failed inside the server; the details are in its log, never in the response. */
export class InternalError extends Schema.TaggedError<InternalError>()("InternalError", {}) {
  override get message() {
    return "The server failed while handling the request. Nothing about it is shown here; the server's log has the details. Retry, or report it."
  }
}

/** The store cannot be reached right now. */
export class ServiceUnavailable extends Schema.TaggedError<ServiceUnavailable>()("ServiceUnavailable", {}) {
  override get message() {
    return "The server cannot reach its store right now. Retry in a moment."
  }
}
