/** What both linking flows share: where a refusal goes, and the result they end on. */
import type { Models } from "@registrar/api"
import type { Failure } from "../Client.js"
import { Link, Routes } from "../Router.js"
import { fieldOf } from "./Form.js"

/** The fields of a link. */
export type LinkField = "team" | "artifact" | "version" | "registry" | "collection" | "aliases" | "form"

/** The field a link's refusal concerns. */
export const linkFailureField = (failure: Failure): LinkField =>
  fieldOf<LinkField>(
    failure,
    {
      PersonalEntityCannotLink: "team",
      NotATeamMember: "team",
      EntityNotFound: "team",
      ArtifactNotFound: "artifact",
      ArtifactVersionNotFound: "version",
      ArtifactVersionDeleted: "version",
      CollectionTypeMismatch: "version",
      ArtifactTypeMismatch: "version",
      TypeNotAccepted: "registry",
      RegistryNotFound: "registry",
      InsufficientRole: "registry",
      CollectionNotFound: "collection",
      InvalidName: "collection",
      ProtectedAliasRequiresAdmin: "aliases"
    },
    "form"
  )

/** The end of a link: the new full name `wandb-registry-R/C:vN`, linking to its page. */
export const LinkedResult = ({ result }: { readonly result: typeof Models.LinkResult.Type }) => (
  <div role="status" className="created">
    <p>
      {result.created ? "Linked" : "Already linked"} as{" "}
      <Link href={Routes.version(result.registry, result.collection, `v${result.version}`)} data-testid="linked-name">
        {result.fullName}
      </Link>
      {result.aliases.length > 0 ? ` (${result.aliases.join(", ")})` : ""}.
    </p>
  </div>
)
