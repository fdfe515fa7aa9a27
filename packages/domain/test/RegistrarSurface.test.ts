/**
 * The Registrar's surface promises typed errors: every method fails only with tagged error classes, never with
 * `unknown` (or `any`), and only methods that truly cannot fail have `never`. These checks run when the tests are
 * type-checked (`pnpm check`, `pnpm test`); a method whose error channel widens fails the build.
 */
import { describe, expectTypeOf, it } from "@effect/vitest"
import type { Effect } from "effect"
import type {
  GrantRole,
  GrantRoleError,
  LinkError,
  LinkResult,
  RegistrarShape,
  RegistryChanged,
  RegistryListSettingError,
  RegistrySettingError
} from "../src/index.js"

/** The error channel of a method (or of an Effect-valued member such as `catchUp`). */
type ErrorOf<Member> = Member extends (...args: never) => Effect.Effect<unknown, infer E, unknown>
  ? E
  : Member extends Effect.Effect<unknown, infer E, unknown>
    ? E
    : "not an Effect"

type IsUnknownOrAny<T> = unknown extends T ? true : false
type IsNever<T> = [T] extends [never] ? true : false
/** True when every member of the union is a tagged error (a `Schema.TaggedError` class instance). */
type AllTagged<T> = [T] extends [Error & { readonly _tag: string }] ? true : false

/** The methods that cannot fail. */
type Infallible = "startRun"

/** The methods whose error channel is not a union of tagged errors. */
type UntypedMethods<Shape> = {
  [K in keyof Shape]: IsUnknownOrAny<ErrorOf<Shape[K]>> extends true
    ? K
    : IsNever<ErrorOf<Shape[K]>> extends true
      ? K extends Infallible
        ? never
        : K
      : AllTagged<ErrorOf<Shape[K]>> extends true
        ? never
        : K
}[keyof Shape]

describe("the Registrar surface", () => {
  it("every method fails only with named, tagged errors", () => {
    expectTypeOf<UntypedMethods<RegistrarShape>>().toEqualTypeOf<never>()
  })

  it("the check catches a method whose errors are unknown, never or untagged", () => {
    type Widened = Omit<RegistrarShape, "grantRole" | "link" | "deleteRegistry"> & {
      readonly grantRole: (input: GrantRole) => Effect.Effect<RegistryChanged, unknown>
      readonly link: (input: never) => Effect.Effect<LinkResult>
      readonly deleteRegistry: (input: never) => Effect.Effect<RegistryChanged, string>
    }
    expectTypeOf<UntypedMethods<Widened>>().toEqualTypeOf<"grantRole" | "link" | "deleteRegistry">()
  })

  it("the six registry settings fail with their named unions", () => {
    expectTypeOf<ErrorOf<RegistrarShape["changeVisibility"]>>().toEqualTypeOf<RegistrySettingError>()
    expectTypeOf<ErrorOf<RegistrarShape["acceptTypes"]>>().toEqualTypeOf<RegistryListSettingError>()
    expectTypeOf<ErrorOf<RegistrarShape["setProtectedAliases"]>>().toEqualTypeOf<RegistryListSettingError>()
    expectTypeOf<ErrorOf<RegistrarShape["grantRole"]>>().toEqualTypeOf<GrantRoleError>()
    expectTypeOf<ErrorOf<RegistrarShape["revokeRole"]>>().toEqualTypeOf<RegistrySettingError>()
    expectTypeOf<ErrorOf<RegistrarShape["deleteRegistry"]>>().toEqualTypeOf<RegistrySettingError>()
    expectTypeOf<ErrorOf<RegistrarShape["link"]>>().toEqualTypeOf<LinkError>()
  })
})
