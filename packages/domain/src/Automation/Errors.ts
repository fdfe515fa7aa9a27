/** The typed rejections of automations, each with a message that says what to do. */
import { Schema } from "effect"

/** An automation or secret name that is not allowed. */
export class InvalidAutomationName extends Schema.TaggedError<InvalidAutomationName>()("InvalidAutomationName", {
  kind: Schema.Literal("automation", "secret"),
  name: Schema.String
}) {
  override get message() {
    return `${JSON.stringify(this.name.slice(0, 80))} is not a valid ${this.kind} name: use 1 to 64 letters, digits, "-", "_" or ".", starting with a letter or digit.`
  }
}

/** A webhook URL that is not allowed. */
export class InvalidWebhookUrl extends Schema.TaggedError<InvalidWebhookUrl>()("InvalidWebhookUrl", {
  url: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `The webhook URL ${JSON.stringify(this.url)} is refused: ${this.reason}. Give an absolute http(s) URL such as https://ci.example.com/hooks/registry.`
  }
}

/** A payload template that is not JSON once filled in, or too long. */
export class InvalidPayloadTemplate extends Schema.TaggedError<InvalidPayloadTemplate>()("InvalidPayloadTemplate", {
  reason: Schema.String
}) {
  override get message() {
    return `The payload template is refused: ${this.reason}. Write a JSON object with variables inside strings, e.g. {"event": "\${event_type}", "version": "\${artifact_version_string}"}.`
  }
}

/** A template uses a variable that does not exist (refused when saved, never when the automation fires). */
export class UnknownTemplateVariable extends Schema.TaggedError<UnknownTemplateVariable>()("UnknownTemplateVariable", {
  variable: Schema.String
}) {
  override get message() {
    return `The payload template uses \${${this.variable}}, which is not a payload variable. Use event_type, event_author, entity_name, project_name, artifact_collection_name, artifact_version, artifact_version_string, alias, tag or artifact_metadata.KEY.`
  }
}

/** A filter that does not parse. */
export class InvalidTriggerFilter extends Schema.TaggedError<InvalidTriggerFilter>()("InvalidTriggerFilter", {
  reason: Schema.String
}) {
  override get message() {
    return `The automation's filter is refused: ${this.reason}. Filter on alias or tag, e.g. {"alias": {"$regex": "^prod"}}.`
  }
}

/** An automation needs at least one event type. */
export class NoEventTypes extends Schema.TaggedError<NoEventTypes>()("NoEventTypes", {}) {
  override get message() {
    return "An automation needs at least one event type: LINK_ARTIFACT, UNLINK_ARTIFACT, ADD_ARTIFACT_ALIAS, REMOVE_ARTIFACT_ALIAS, CREATE_ARTIFACT, ADD_COLLECTION_TAG or REMOVE_COLLECTION_TAG."
  }
}

/** No automation of that name in the registry. */
export class AutomationNotFound extends Schema.TaggedError<AutomationNotFound>()("AutomationNotFound", {
  registry: Schema.String,
  automation: Schema.String
}) {
  override get message() {
    return `Registry "${this.registry}" has no automation "${this.automation}". List them with \`registrar automation list --registry ${this.registry}\`.`
  }
}

/** The name is taken by another automation of the registry. */
export class AutomationAlreadyExists extends Schema.TaggedError<AutomationAlreadyExists>()("AutomationAlreadyExists", {
  registry: Schema.String,
  automation: Schema.String
}) {
  override get message() {
    return `Registry "${this.registry}" already has an automation "${this.automation}". Choose another name, or change it with \`registrar automation update\`.`
  }
}

/** An automation names a secret the registry does not have. */
export class AutomationSecretNotFound extends Schema.TaggedError<AutomationSecretNotFound>()(
  "AutomationSecretNotFound",
  { registry: Schema.String, secret: Schema.String }
) {
  override get message() {
    return `Registry "${this.registry}" has no automation secret "${this.secret}". Set it first with \`registrar automation secret set --registry ${this.registry} ${this.secret}\` (the value is read from stdin).`
  }
}

/** A secret value that is empty or too long. */
export class InvalidSecretValue extends Schema.TaggedError<InvalidSecretValue>()("InvalidSecretValue", {
  secret: Schema.String
}) {
  override get message() {
    return `The value of secret "${this.secret}" must be 1 to 4096 characters without line breaks. Pass it on stdin.`
  }
}

/** Secrets need a key to seal them with, and the process has none. */
export class SecretsKeyMissing extends Schema.TaggedError<SecretsKeyMissing>()("SecretsKeyMissing", {}) {
  override get message() {
    return "Automation secrets are sealed with a key from the configuration, and none is set: set REGISTRAR_SECRETS_KEY (at least 32 characters, kept outside the database) for every process of the store."
  }
}

/** A sealed secret that the configured key cannot open (another key, or edited). */
export class SecretUnreadable extends Schema.TaggedError<SecretUnreadable>()("SecretUnreadable", {
  secret: Schema.String
}) {
  override get message() {
    return `Secret "${this.secret}" cannot be opened with the configured REGISTRAR_SECRETS_KEY (it was sealed with another key, or edited). Set the secret again.`
  }
}

/** No delivery with that id for the automation. */
export class DeliveryNotFound extends Schema.TaggedError<DeliveryNotFound>()("DeliveryNotFound", {
  automation: Schema.String,
  delivery: Schema.String
}) {
  override get message() {
    return `Automation "${this.automation}" has no delivery "${this.delivery}". List its deliveries with \`registrar automation history\`.`
  }
}
