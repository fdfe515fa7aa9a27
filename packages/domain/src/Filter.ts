/**
 * W&B's filter language for registries, collections and versions (docs/search.md): the typed AST, parsing from
 * JSON with every rule and bound, order strings, cursors and page sizes, and the pure evaluator the memory store
 * answers with (the meaning the SQL compiler of adapters-pg matches).
 */
export * from "./Filter/Ast.js"
export * from "./Filter/Errors.js"
export { type FieldKind, fieldsOf, orderFieldsOf, registryPrefix } from "./Filter/Fields.js"
export * from "./Filter/Limits.js"
export { maxDepth, maxFilterChars } from "./Filter/JsonText.js"
export { operators, parseFilter } from "./Filter/Parse.js"
export * from "./Filter/Paging.js"
export { compileRegex, maxRegexLength, regexMatches } from "./Filter/Regex.js"
export {
  comparePositions,
  type FilterRecord,
  jsonEquals,
  matches,
  page,
  positionOf,
  sortValue
} from "./Filter/Evaluate.js"
