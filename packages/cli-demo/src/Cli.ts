/** The whole `registrar` command tree. */
import * as Command from "@effect/cli/Command"
import * as Artifact from "./commands/Artifact.js"
import * as Automation from "./commands/Automation.js"
import * as Collection from "./commands/Collection.js"
import * as Demo from "./commands/Demo.js"
import * as Find from "./commands/Find.js"
import * as Governance from "./commands/Governance.js"
import * as Link from "./commands/Link.js"
import * as Login from "./commands/Login.js"
import * as Maintenance from "./commands/Maintenance.js"
import * as Organization from "./commands/Organization.js"
import * as Read from "./commands/Read.js"
import * as Registry from "./commands/Registry.js"
import * as Serve from "./commands/Serve.js"
import { root } from "./Root.js"

/** The `registrar` command with every subcommand. */
export const command = root.pipe(
  Command.withDescription(
    "An artifact registry in your terminal, with the semantics of the W&B Registry: log artifacts in team projects, link versions into organization registries, resolve, download, audit."
  ),
  Command.withSubcommands([
    ...Demo.commands,
    ...Organization.commands,
    Artifact.command,
    Registry.command,
    Collection.command,
    ...Link.commands,
    ...Governance.commands,
    ...Automation.commands,
    ...Read.commands,
    ...Find.commands,
    ...Maintenance.commands,
    ...Serve.commands,
    ...Login.commands
  ])
)
