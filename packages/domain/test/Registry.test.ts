/**
 * The registry decider: creating registries, visibility, accepted types, grants, protected aliases, collection names,
 * deletion, and the access table of docs/behaviour.md as `Registry.authorize` applies it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import type { Action, Actor, RegistryRole } from "../src/Access.js"
import { CollectionNotFound, InsufficientRole, NotAnOrganizationMember, RegistryNotFound } from "../src/Errors.js"
import * as Registry from "../src/Registry.js"
import { spec } from "../testing/DeciderSpec.js"
import { ORG, orgAdmin, orgMember, orgViewer, outsider, TEAM, teamMember } from "./fixtures/People.js"
import {
  type Body,
  by,
  collectionCreated,
  collectionDeleted,
  collectionRenamed,
  collectionUpdated,
  created,
  createCollection,
  everyRoleGranted,
  granted,
  protectedAliasesChanged,
  REGISTRY,
  registryDeleted,
  roleGranted,
  roleRevoked,
  team,
  typesAccepted,
  updateCollection,
  user,
  visibilityChanged
} from "./fixtures/Registries.js"

const registry = spec(Registry.decider)
const names = { organization: ORG, registry: REGISTRY }
const admin = granted("admin")
const member = granted("member")
const viewer = granted("viewer")
const restrictedViewer = granted("restricted_viewer")
const PREFIXED = `wandb-registry-${REGISTRY}`

/** One command of every kind but creation, as an admin would send them. */
const everyCommandButCreate: ReadonlyArray<Body> = [
  { _tag: "ChangeVisibility", visibility: "restricted" },
  { _tag: "AcceptTypes", artifactTypes: ["model"] },
  { _tag: "GrantRole", principal: user("someone"), role: "viewer" },
  { _tag: "RevokeRole", principal: user("someone") },
  { _tag: "SetProtectedAliases", aliases: ["production"] },
  { _tag: "DeleteRegistry" },
  { _tag: "RenameRegistry", to: "Other", nameTaken: false },
  { _tag: "DescribeRegistry", description: "x" },
  createCollection("Llama"),
  { _tag: "RenameCollection", collection: "Llama", to: "Llama 3" },
  updateCollection("Llama", { description: "fine-tuned" }),
  { _tag: "DeleteCollection", collection: "Llama" }
]

const authorize = (state: Registry.State, who: Actor, action: Action) => Registry.authorize(state, who, action, names)

describe("Registry", () => {
  describe("no registry yet", () => {
    const absent = registry.given()

    it("an organization member creates it and becomes its admin", () => {
      const state = absent
        .when(
          by(orgMember, {
            _tag: "CreateRegistry",
            visibility: "restricted",
            description: "models we ship",
            acceptedTypes: ["model", "model"]
          })
        )
        .then(created("restricted", ["model"], "models we ship"), roleGranted(user(orgMember.username), "admin"))
      expect(Either.isRight(authorize(state, orgMember, "administer"))).toBe(true)
    })

    it("an organization admin creates it too", () => {
      absent
        .when(by(orgAdmin, { _tag: "CreateRegistry", visibility: "organization", description: "", acceptedTypes: [] }))
        .then(created("organization"), roleGranted(user(orgAdmin.username), "admin"))
    })

    it("organization viewers and outsiders cannot create registries", () => {
      const create: Body = { _tag: "CreateRegistry", visibility: "organization", description: "", acceptedTypes: [] }
      absent.when(by(orgViewer, create)).thenFails("OrganizationRoleRequired", `"${orgViewer.username}"`, `"${ORG}"`)
      absent.when(by(outsider, create)).thenFails("NotAnOrganizationMember", `"${outsider.username}"`, `"${ORG}"`)
    })

    it.each(everyCommandButCreate)("is never created implicitly: $_tag answers RegistryNotFound", (body) => {
      registry
        .given()
        .when(by(orgAdmin, body))
        .thenFails("RegistryNotFound", PREFIXED, `"${ORG}"`, "never created implicitly")
    })
  })

  describe("an organization-visibility registry", () => {
    const open = registry.given(created("organization"), ...everyRoleGranted)

    it("refuses a second registry with the same name in the organization", () => {
      open
        .when(by(orgAdmin, { _tag: "CreateRegistry", visibility: "organization", description: "", acceptedTypes: [] }))
        .thenFails("RegistryAlreadyExists", PREFIXED, `"${ORG}"`)
    })

    it("makes every organization member a viewer: they see and use it, but cannot write", () => {
      expect(Either.isRight(authorize(open.state, orgMember, "see"))).toBe(true)
      expect(Either.isRight(authorize(open.state, orgViewer, "use"))).toBe(true)
      expect(authorize(open.state, orgMember, "write")).toEqual(
        Either.left(
          new InsufficientRole({
            actor: orgMember.username,
            registry: REGISTRY,
            action: "write",
            required: "member",
            actual: "viewer"
          })
        )
      )
      open
        .when(by(orgMember, createCollection("Llama")))
        .thenFails("InsufficientRole", "the role viewer", "member or higher")
    })

    it("tells people outside the organization that they are not in it, and nothing about the registry", () => {
      expect(authorize(open.state, outsider, "see")).toEqual(
        Either.left(new NotAnOrganizationMember({ user: outsider.username, organization: ORG }))
      )
      expect(authorize(registry.given().state, outsider, "see")).toEqual(authorize(open.state, outsider, "see"))
      open
        .when(by(outsider, { _tag: "CreateRegistry", visibility: "organization", description: "", acceptedTypes: [] }))
        .thenFails("NotAnOrganizationMember", `"${outsider.username}"`)
    })

    it("goes restricted when an admin asks, and staying as it is changes nothing", () => {
      open.when(by(admin, { _tag: "ChangeVisibility", visibility: "restricted" })).then(visibilityChanged("restricted"))
      open.when(by(admin, { _tag: "ChangeVisibility", visibility: "organization" })).thenNothing()
    })

    it("grants a role to a user or a team", () => {
      open
        .when(by(admin, { _tag: "GrantRole", principal: user("sam"), role: "viewer" }))
        .then(roleGranted(user("sam"), "viewer"))
      open.when(by(admin, { _tag: "GrantRole", principal: team(), role: "member" })).then(roleGranted(team(), "member"))
    })

    it("replaces a grant with another role, and granting the same role again changes nothing", () => {
      const withSam = registry.given(created("organization"), ...everyRoleGranted, roleGranted(user("sam"), "viewer"))
      withSam
        .when(by(admin, { _tag: "GrantRole", principal: user("sam"), role: "member" }))
        .then(roleGranted(user("sam"), "member"))
      withSam.when(by(admin, { _tag: "GrantRole", principal: user("sam"), role: "viewer" })).thenNothing()
    })

    it("revokes a grant; revoking one that does not exist changes nothing", () => {
      const withSam = registry.given(created("organization"), ...everyRoleGranted, roleGranted(user("sam"), "viewer"))
      withSam.when(by(admin, { _tag: "RevokeRole", principal: user("sam") })).then(roleRevoked(user("sam")))
      withSam.when(by(admin, { _tag: "RevokeRole", principal: team("sam") })).thenNothing()
      open.when(by(admin, { _tag: "RevokeRole", principal: user("sam") })).thenNothing()
    })

    it("lets only admins grant and revoke roles", () => {
      open
        .when(by(member, { _tag: "GrantRole", principal: user("sam"), role: "viewer" }))
        .thenFails("InsufficientRole", "the role member", "admin or higher")
      open.when(by(member, { _tag: "RevokeRole", principal: user(viewer.username) })).thenFails("InsufficientRole")
    })

    it("sets the protected aliases (admins only); the same set in another order changes nothing", () => {
      open
        .when(by(admin, { _tag: "SetProtectedAliases", aliases: ["production", "staging", "production"] }))
        .then(protectedAliasesChanged("production", "staging"))
      open.when(by(member, { _tag: "SetProtectedAliases", aliases: ["production"] })).thenFails("InsufficientRole")
      registry
        .given(created("organization"), ...everyRoleGranted, protectedAliasesChanged("production", "staging"))
        .when(by(admin, { _tag: "SetProtectedAliases", aliases: ["staging", "production"] }))
        .thenNothing()
    })

    it("creates a collection for any type when it lists no accepted types", () => {
      open
        .when(
          by(member, {
            _tag: "CreateCollection",
            collectionId: "c-1",
            collection: "Golden Datasets",
            artifactType: "dataset",
            description: "curated",
            tags: ["gold", "gold", "eval"],
            implicit: false
          })
        )
        .then(
          new Registry.CollectionCreated({
            ...names,
            collectionId: "c-1",
            collection: "Golden Datasets",
            artifactType: "dataset",
            description: "curated",
            tags: ["gold", "eval"]
          })
        )
    })

    it("is deleted by an admin, never by a member", () => {
      open.when(by(admin, { _tag: "DeleteRegistry" })).then(registryDeleted())
      open
        .when(by(member, { _tag: "DeleteRegistry" }))
        .thenFails("InsufficientRole", "the role member", "admin or higher")
    })
  })

  describe("a restricted registry", () => {
    const restricted = registry.given(created("restricted"), ...everyRoleGranted)

    it("cannot go back to organization visibility", () => {
      restricted
        .when(by(admin, { _tag: "ChangeVisibility", visibility: "organization" }))
        .thenFails("VisibilityChangeRefused", PREFIXED, "from restricted to organization")
      restricted.when(by(admin, { _tag: "ChangeVisibility", visibility: "restricted" })).thenNothing()
    })

    it("is invisible to organization members without a grant: RegistryNotFound, never InsufficientRole", () => {
      for (const action of ["see", "use", "write", "administer"] as const) {
        expect(authorize(restricted.state, orgMember, action)).toEqual(Either.left(new RegistryNotFound(names)))
      }
      restricted.when(by(orgMember, createCollection("Llama"))).thenFails("RegistryNotFound", PREFIXED)
      restricted.when(by(teamMember, { _tag: "DeleteRegistry" })).thenFails("RegistryNotFound", PREFIXED)
    })

    it("makes organization admins registry admins without any grant", () => {
      expect(Either.isRight(authorize(restricted.state, orgAdmin, "administer"))).toBe(true)
      restricted
        .when(by(orgAdmin, { _tag: "GrantRole", principal: team(), role: "member" }))
        .then(roleGranted(team(), "member"))
    })

    it("applies a team's grant to the team's members, and only to them", () => {
      const withTeam = registry.given(created("restricted"), roleGranted(team(TEAM), "member"))
      expect(Either.isRight(authorize(withTeam.state, teamMember, "write"))).toBe(true)
      withTeam.when(by(teamMember, createCollection("Llama"))).then(collectionCreated("Llama"))
      withTeam.when(by(orgMember, createCollection("Llama"))).thenFails("RegistryNotFound")
    })
  })

  describe("a registry accepting only model and dataset", () => {
    const typed = registry.given(created("organization", ["model", "dataset"]), ...everyRoleGranted)

    it("accepts more types, recording only the new ones", () => {
      const state = typed
        .when(by(admin, { _tag: "AcceptTypes", artifactTypes: ["dataset", "code", "code"] }))
        .then(typesAccepted("code"))
      expect((state as Registry.Active).acceptedTypes).toEqual(["model", "dataset", "code"])
      typed.when(by(admin, { _tag: "AcceptTypes", artifactTypes: ["model"] })).thenNothing()
      typed.when(by(admin, { _tag: "AcceptTypes", artifactTypes: [] })).thenNothing()
    })

    it("keeps a registry created without a list open to every type: accepting types never narrows it", () => {
      registry
        .given(created("organization"), ...everyRoleGranted)
        .when(by(admin, { _tag: "AcceptTypes", artifactTypes: ["model"] }))
        .thenNothing()
    })

    it("lets only admins change the accepted types", () => {
      typed
        .when(by(member, { _tag: "AcceptTypes", artifactTypes: ["code"] }))
        .thenFails("InsufficientRole", "the role member", "accepted types")
    })

    it("refuses a collection of another type, naming the type and the accepted ones", () => {
      typed
        .when(by(member, createCollection("Evaluator", "code")))
        .thenFails("TypeNotAccepted", '"code"', '"model", "dataset"')
      typed.when(by(member, createCollection("Evaluator", "code", true))).thenFails("TypeNotAccepted")
    })

    it("creates collections of an accepted type", () => {
      typed.when(by(member, createCollection("Llama", "model"))).then(collectionCreated("Llama", "model"))
    })

    it("refuses reserved types wherever a type is given: accepted types and collections", () => {
      typed
        .when(by(admin, { _tag: "AcceptTypes", artifactTypes: ["code", "job"] }))
        .thenFails("InvalidName", '"job"', "reserved for internal use")
      typed
        .when(by(admin, { _tag: "AcceptTypes", artifactTypes: ["wandb-history"] }))
        .thenFails("InvalidName", "wandb-")
      registry
        .given(created("organization"), ...everyRoleGranted)
        .when(by(member, createCollection("Jobs", "job")))
        .thenFails("InvalidName", '"job"', "W&B-compatible clients")
      registry
        .given()
        .when(
          by(orgAdmin, {
            _tag: "CreateRegistry",
            visibility: "organization",
            description: "",
            acceptedTypes: ["model", "wandb-history"]
          })
        )
        .thenFails("InvalidName", '"wandb-history"')
      // Without an artifact name, run_table and code are ordinary types.
      registry
        .given(created("organization"), ...everyRoleGranted)
        .when(by(member, createCollection("Tables", "run_table")))
        .then(collectionCreated("Tables", "run_table"))
    })
  })

  describe("a registry with the model collection Llama", () => {
    const withLlama = registry.given(created("organization"), ...everyRoleGranted, collectionCreated("Llama", "model"))

    it("refuses to create Llama again explicitly", () => {
      withLlama.when(by(member, createCollection("Llama"))).thenFails("CollectionAlreadyExists", `${PREFIXED}/Llama`)
    })

    it("lets a first link find Llama when the type matches, and refuses another type naming both", () => {
      withLlama.when(by(member, createCollection("Llama", "model", true))).thenNothing()
      withLlama
        .when(by(member, createCollection("Llama", "dataset", true)))
        .thenFails("CollectionTypeMismatch", '"Llama"', '"model"', '"dataset"')
    })

    it("renames Llama, keeping its id and its type", () => {
      const state = withLlama
        .when(by(member, { _tag: "RenameCollection", collection: "Llama", to: "Llama 3.2" }))
        .then(collectionRenamed("Llama", "Llama 3.2")) as Registry.Active
      expect(state.collections.get("Llama 3.2")).toEqual({
        id: "id-of-Llama",
        name: "Llama 3.2",
        artifactType: "model",
        description: "",
        tags: []
      })
      expect(state.collections.has("Llama")).toBe(false)
      withLlama.when(by(member, { _tag: "RenameCollection", collection: "Llama", to: "Llama" })).thenNothing()
    })

    it("refuses to rename onto another collection's name, or a collection it does not have", () => {
      const two = registry.given(
        created("organization"),
        ...everyRoleGranted,
        collectionCreated("Llama"),
        collectionCreated("Mistral")
      )
      two
        .when(by(member, { _tag: "RenameCollection", collection: "Llama", to: "Mistral" }))
        .thenFails("CollectionAlreadyExists", "/Mistral")
      two
        .when(by(member, { _tag: "RenameCollection", collection: "Gemma", to: "Gemma 2" }))
        .thenFails("CollectionNotFound", `${PREFIXED}/Gemma`)
    })

    it("changes the description and tags; unchanged values change nothing", () => {
      withLlama
        .when(by(member, updateCollection("Llama", { description: "fine-tuned" })))
        .then(collectionUpdated("Llama", "fine-tuned", []))
      withLlama
        .when(by(member, updateCollection("Llama", { tags: ["prod", "prod", "llm"] })))
        .then(collectionUpdated("Llama", "", ["prod", "llm"]))
      withLlama.when(by(member, updateCollection("Llama", { description: "", tags: [] }))).thenNothing()
      withLlama
        .when(by(member, updateCollection("Gemma", { description: "x" })))
        .thenFails("CollectionNotFound", "Gemma")
    })

    it("deletes Llama, and then no longer has it", () => {
      const state = withLlama
        .when(by(member, { _tag: "DeleteCollection", collection: "Llama" }))
        .then(collectionDeleted("Llama"))
      expect(Registry.decide(by(member, { _tag: "DeleteCollection", collection: "Llama" }), state)).toEqual(
        Either.left(new CollectionNotFound({ registry: REGISTRY, collection: "Llama" }))
      )
    })

    it("deletes its collections with it (never the sources)", () => {
      withLlama.when(by(admin, { _tag: "DeleteRegistry" })).then(registryDeleted("id-of-Llama"))
    })

    it.each([viewer, restrictedViewer])("refuses collection changes by %o (they need member)", (reader) => {
      for (const body of [
        createCollection("Gemma"),
        { _tag: "RenameCollection", collection: "Llama", to: "Gemma" } as const,
        updateCollection("Llama", { description: "x" }),
        { _tag: "DeleteCollection", collection: "Llama" } as const
      ]) {
        const refusal = withLlama.when(by(reader, body)).thenFails("InsufficientRole", "member or higher")
        expect(refusal.action).toBe("write")
      }
    })
  })

  describe("a registry with the model collection Llama, renamed or described by its admins", () => {
    const withLlama = registry.given(created("organization"), ...everyRoleGranted, collectionCreated("Llama", "model"))
    const rename = (to: string, nameTaken = false): Body => ({ _tag: "RenameRegistry", to, nameTaken })
    const renamed = (to: string) =>
      new Registry.RegistryRenamed({ organization: ORG, registry: to, from: REGISTRY, collectionIds: ["id-of-Llama"] })

    it("renames it: the event names old and new names and its collections; collections and grants stay", () => {
      const state = withLlama.when(by(admin, rename("Foundation Models"))).then(renamed("Foundation Models"))
      expect(state._tag === "Active" && state.registry).toBe("Foundation Models")
      expect(state._tag === "Active" && [...state.collections.keys()]).toEqual(["Llama"])
      expect(state._tag === "Active" && state.grants).toEqual(
        withLlama.state._tag === "Active" ? withLlama.state.grants : []
      )
    })

    it("renaming to its own name changes nothing", () => {
      withLlama.when(by(admin, rename(REGISTRY))).thenNothing()
    })

    it("refuses a name another registry of the organization has", () => {
      withLlama
        .when(by(admin, rename("Datasets", true)))
        .thenFails("RegistryAlreadyExists", "wandb-registry-Datasets", `"${ORG}"`)
    })

    it("changes its description; the same description changes nothing", () => {
      const state = withLlama
        .when(by(admin, { _tag: "DescribeRegistry", description: "models we ship" }))
        .then(new Registry.RegistryDescribed({ ...names, description: "models we ship" }))
      expect(state._tag === "Active" && state.description).toBe("models we ship")
      withLlama.when(by(admin, { _tag: "DescribeRegistry", description: "" })).thenNothing()
    })

    it.each([member, orgMember])("refuses renames and descriptions by %o (they need admin)", (someone) => {
      withLlama.when(by(someone, rename("Other"))).thenFails("InsufficientRole", "admin")
      withLlama.when(by(someone, { _tag: "DescribeRegistry", description: "x" })).thenFails("InsufficientRole", "admin")
    })

    it("refuses both to people outside the organization", () => {
      withLlama.when(by(outsider, rename("Other"))).thenFails("NotAnOrganizationMember", `"${ORG}"`)
    })
  })

  describe("a deleted registry", () => {
    const deleted = registry.given(created("organization"), ...everyRoleGranted, registryDeleted())

    it.each(everyCommandButCreate)("answers $_tag with RegistryNotFound", (body) => {
      deleted.when(by(orgAdmin, body)).thenFails("RegistryNotFound", PREFIXED)
    })

    it("frees its name for a new registry", () => {
      deleted
        .when(by(orgMember, { _tag: "CreateRegistry", visibility: "organization", description: "", acceptedTypes: [] }))
        .then(created("organization"), roleGranted(user(orgMember.username), "admin"))
    })
  })

  describe("each role's allowed and refused actions (docs/behaviour.md access table)", () => {
    const table: Record<RegistryRole, Record<Action, boolean>> = {
      restricted_viewer: { see: true, use: false, write: false, administer: false },
      viewer: { see: true, use: true, write: false, administer: false },
      member: { see: true, use: true, write: true, administer: false },
      admin: { see: true, use: true, write: true, administer: true }
    }
    const cases = Object.entries(table).flatMap(([role, actions]) =>
      Object.entries(actions).map(([action, allowed]) => ({
        role: role as RegistryRole,
        action: action as Action,
        allowed
      }))
    )
    const restricted = registry.given(created("restricted"), ...everyRoleGranted)

    it.each(cases)("$role may $action: $allowed", ({ role, action, allowed }) => {
      const result = authorize(restricted.state, granted(role), action)
      if (allowed) {
        expect(Either.isRight(result)).toBe(true)
      } else {
        const refusal = Either.flip(result).pipe(Either.getOrThrow)
        expect(refusal).toMatchObject({ _tag: "InsufficientRole", action, actual: role })
        expect(refusal.message).toContain(`the role ${role}`)
      }
    })

    it("restricted viewers see the registry but cannot use its versions", () => {
      const refusal = Either.flip(authorize(restricted.state, restrictedViewer, "use")).pipe(Either.getOrThrow)
      expect(refusal.message).toContain("use or download linked versions")
    })
  })
})
