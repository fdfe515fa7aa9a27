/**
 * The Registry App in a real browser, as the documentation's people use it: alice (organization admin), bob (a member
 * through his team) and carol (an organization viewer with no registry role), against `registrar serve` on the
 * demo's store.
 */
import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import {
  descriptionOf,
  launch,
  type Person,
  pageProblems,
  type Serving,
  screenshot,
  serve,
  signIn,
  stop
} from "./support/Browser.js"

const ORGANIZATION = "smle-registries-bug-bash"
const keys = inject("webKeys")
let server: Serving
let browser: Browser
const people = new Map<string, Person>()
// When alice began moving production from v1 to v0 (set by that step; the time-travel steps read the past from it).
let beforeAliasMove = new Date()

/** The user's signed-in browser (signed in by keyboard the first time), back on the registries page. */
const as = async (user: "alice" | "bob" | "carol"): Promise<Person> => {
  const known = people.get(user)
  if (known !== undefined) {
    await known.page.setViewportSize({ width: 1280, height: 900 })
    await known.page.goto(server.url)
    await known.page.getByRole("rowheader").first().waitFor()
    return known
  }
  const person = await signIn(browser, server.url, keys[user]!)
  people.set(user, person)
  return person
}

beforeAll(async () => {
  ;[server, browser] = await Promise.all([serve(inject("webTemplate")), launch()])
  // alice keeps a restricted registry that nobody else has a role in.
  const created = await fetch(`${server.url}/organizations/${ORGANIZATION}/registries`, {
    method: "POST",
    headers: { authorization: `Bearer ${keys.alice}`, "content-type": "application/json" },
    body: JSON.stringify({ registry: "Secret Models", visibility: "restricted", acceptedTypes: ["model"] })
  })
  expect(created.status).toBe(201)
})

afterAll(async () => {
  for (const person of people.values()) await person.context.close()
  await browser?.close()
  if (server !== undefined) await stop(server)
})

describe.sequential("The Registry App", () => {
  it("serves its pages with a Content-Security-Policy and keeps the session in an HttpOnly SameSite=Strict cookie", async () => {
    const { page, context } = await as("carol")
    const response = await page.request.get(`${server.url}/ui/r/Models`)
    expect(response.headers()["content-security-policy"]).toContain("script-src 'self'")
    expect(await page.locator("script:not([src])").count()).toBe(0)
    const [cookie] = (await context.cookies()).filter((candidate) => candidate.name === "registrar_session")
    expect(cookie?.httpOnly).toBe(true)
    expect(cookie?.sameSite).toBe("Strict")
    expect(cookie?.value).not.toBe(keys.carol)
    expect(page.url()).not.toContain(keys.carol!)
  })

  it("carol, with no role in it, never sees the restricted registry: not listed, and missing when named", async () => {
    const { page } = await as("carol")
    const names = await page.getByRole("table").getByRole("rowheader").allTextContents()
    expect(names).toEqual(expect.arrayContaining(["Golden Datasets", "Models"]))
    expect(names).not.toContain("Secret Models")
    await page.goto(`${server.url}/ui/r/Secret%20Models`)
    await expect(page.getByRole("alert").textContent()).resolves.toContain("Secret Models")
    expect(await page.getByRole("alert").getAttribute("data-code")).toBe("RegistryNotFound")
    await page.getByRole("search").getByRole("searchbox").fill("Secret")
    await page.getByRole("search").getByRole("button", { name: "Search" }).click()
    await page.getByText("Nothing found.").waitFor()
    const alice = await as("alice")
    expect(await alice.page.getByRole("table").getByRole("rowheader").allTextContents()).toContain("Secret Models")
    await screenshot(alice.page, "registries")
  })

  it("bob links zoo-classifier v0 through Link to registry into a new collection and sees it there", async () => {
    const { page } = await as("bob")
    await page.goto(`${server.url}/ui/p/smle-reg-team-1/registry_quickstart`)
    await page.getByRole("link", { name: "zoo-classifier", exact: true }).click()
    await page.getByRole("link", { name: "zoo-classifier:v0" }).click()
    await page.getByRole("button", { name: "Link to registry" }).click()
    const panel = page.getByRole("complementary", { name: /Link .* to a registry/ })
    // Only registries that accept models are offered.
    await panel.locator("option", { hasText: "Models" }).first().waitFor({ state: "attached" })
    const offered = await panel.getByLabel("Registry", { exact: true }).locator("option").allTextContents()
    expect(offered).toContain("Models")
    expect(offered).not.toContain("Golden Datasets")
    await panel.getByLabel("Registry", { exact: true }).selectOption("Models")
    await panel.getByLabel("Collection", { exact: true }).selectOption({ label: "Create a new collection…" })
    await panel.getByLabel("New collection name", { exact: true }).fill("Zoo_Candidates")
    await panel.getByLabel("Aliases (optional)", { exact: true }).fill("candidate")
    await screenshot(page, "link-to-registry")
    await panel.getByRole("button", { name: "Link to registry" }).click()
    const linked = panel.getByTestId("linked-name")
    await expect(linked.textContent()).resolves.toBe("wandb-registry-Models/Zoo_Candidates:v0")
    await linked.click()
    await page.getByRole("heading", { name: "wandb-registry-Models/Zoo_Candidates:v0" }).waitFor()
    // The version page says where else its source is linked.
    await page
      .getByRole("region", { name: "Also linked in" })
      .getByRole("link", { name: "wandb-registry-Models/Zoo_Classifier_Models:v0" })
      .waitFor()
    await page.getByRole("link", { name: "Zoo_Candidates" }).click()
    const row = page.locator("tr[data-version=v0]")
    await row.waitFor()
    await expect(row.textContent()).resolves.toContain("candidate")
    await expect(row.textContent()).resolves.toContain("smle-reg-team-1/registry_quickstart/zoo-classifier:v0")
  })

  it("a model linked into Golden Datasets is refused with its message beside the version", async () => {
    const { page } = await as("bob")
    await page.goto(`${server.url}/ui/r/Golden%20Datasets/c/raw_images`)
    await page.getByRole("button", { name: "Link new version" }).click()
    const panel = page.getByRole("complementary", { name: /Link new version/ })
    await panel.getByLabel("Team", { exact: true }).fill("smle-reg-team-1")
    await panel.getByLabel("Project", { exact: true }).fill("registry_quickstart")
    await panel.getByLabel("Artifact", { exact: true }).fill("zoo-classifier")
    await panel.getByRole("button", { name: "Find versions" }).click()
    await panel.getByLabel("Version", { exact: true }).selectOption("v1")
    await panel.getByRole("button", { name: "Link", exact: true }).click()
    await panel.getByRole("alert").waitFor()
    const message = await descriptionOf(panel, "Version")
    expect(message).toMatch(/model/)
    expect(message).toMatch(/dataset/)
    expect(await panel.getByRole("alert").getAttribute("data-code")).toMatch(/TypeNotAccepted|CollectionTypeMismatch/)
    await screenshot(page, "wrong-type-refused")
  })

  it("bob, a member, is refused when moving the protected alias production", async () => {
    const { page } = await as("bob")
    await page.goto(`${server.url}/ui/r/Models/c/Zoo_Classifier_Models`)
    const form = page.getByRole("form", { name: "Move an alias", exact: true })
    await form.getByLabel("Version", { exact: true }).fill("v0")
    await form.getByLabel("Alias", { exact: true }).fill("production")
    await form.getByRole("button", { name: "Move alias here" }).click()
    await form.getByRole("alert").waitFor()
    expect(await form.getByRole("alert").getAttribute("data-code")).toBe("ProtectedAliasRequiresAdmin")
    expect(await descriptionOf(form, "Alias")).toContain("production")
    await expect(page.locator("tr[data-version=v1]").textContent()).resolves.toContain("production")
  })

  it("alice moves production to v0; the collection as of before shows it on v1, with a banner", async () => {
    const { page } = await as("alice")
    await page.goto(`${server.url}/ui/r/Models/c/Zoo_Classifier_Models`)
    const before = new Date()
    beforeAliasMove = before
    const form = page.getByRole("form", { name: "Move an alias", exact: true })
    await form.getByLabel("Version", { exact: true }).fill("v0")
    await form.getByLabel("Alias", { exact: true }).fill("production")
    await form.getByRole("button", { name: "Move alias here" }).click()
    await page.getByText("production now points at v0.").waitFor()
    await page.locator("tr[data-version=v0]", { hasText: "production" }).waitFor()
    await screenshot(page, "collection")

    const local = new Date(before.getTime() - before.getTimezoneOffset() * 60_000).toISOString().slice(0, 19)
    await page.getByLabel("View as of", { exact: true }).fill(local)
    await page.getByRole("button", { name: "Go" }).click()
    await page.getByText(/Viewing as of/).waitFor()
    await page.locator("tr[data-version=v1]", { hasText: "production" }).waitFor()
    await expect(page.locator("tr[data-version=v0]").textContent()).resolves.not.toContain("production")
    expect(page.url()).toContain("asOf=")
    await screenshot(page, "collection-as-of")
    await page.getByText("Action history").click()
    await page.getByRole("region", { name: "Action history" }).getByRole("listitem").first().waitFor()
    await page.getByRole("link", { name: "Back to now" }).click()
    await page.locator("tr[data-version=v0]", { hasText: "production" }).waitFor()
    expect(await page.getByText(/Viewing as of/).count()).toBe(0)
  })

  it("the lineage of the production model is drawn with its runs and versions, and navigates", async () => {
    const { page } = await as("bob")
    await page.goto(`${server.url}/ui/r/Models/c/Zoo_Classifier_Models/v/v1`)
    await page.getByRole("heading", { name: "Lineage" }).waitFor()
    const nodes = await page
      .locator("svg [data-node]")
      .evaluateAll((elements) =>
        elements.map((element) => `${element.getAttribute("data-kind")} ${element.getAttribute("data-node")}`).sort()
      )
    const source = "smle-reg-team-1/registry_quickstart"
    expect(nodes).toEqual(
      [
        `run ${source}/data-prep`,
        `run ${source}/train-1`,
        `run ${source}/train-2`,
        `version ${source}/raw_images:v0`,
        `version ${source}/zoo-classifier:v0`,
        `version ${source}/zoo-classifier:v1`
      ].sort()
    )
    expect(await page.locator("svg [data-edge]").count()).toBe(5)
    const files = page.getByRole("region", { name: "Files" })
    await expect(files.textContent()).resolves.toContain("model.safetensors")
    const href = await files.getByRole("link", { name: /Download.*config\.json/ }).getAttribute("href")
    const download = await page.request.get(`${server.url}${href}`)
    expect(download.status()).toBe(200)
    expect(JSON.parse(await download.text())).toEqual({ accuracy: 0.93, loss: 0.22, epochs: 10 })
    await screenshot(page, "version")
    await page.getByRole("link", { name: `version ${source}/raw_images:v0` }).click()
    await page.getByRole("heading", { name: `${source}/raw_images:v0` }).waitFor()
    await page.getByRole("link", { name: "wandb-registry-Golden Datasets/raw_images:v0" }).waitFor()
  })

  it("a registry admin creates an empty collection and gets its target path and code", async () => {
    const { page } = await as("alice")
    await page.getByRole("link", { name: "Models", exact: true }).click()
    await page.getByLabel("Collection name", { exact: true }).fill("Zoo_Detectors")
    await page.getByLabel("Artifact type", { exact: true }).fill("model")
    await page.getByRole("button", { name: "Create collection" }).click()
    const created = page.getByRole("status").filter({ hasText: "Created" })
    await created.waitFor()
    await expect(created.getByTestId("target-path").textContent()).resolves.toBe("wandb-registry-Models/Zoo_Detectors")
    await expect(created.textContent()).resolves.toContain('target_path="wandb-registry-Models/Zoo_Detectors"')
    await screenshot(page, "registry")
  })

  it("alice compares v0 and v1 of the classifier: their metrics side by side and drawn as a chart", async () => {
    const { page } = await as("alice")
    await page.goto(`${server.url}/ui/r/Models/c/Zoo_Classifier_Models`)
    await page.getByLabel("Compare v0", { exact: true }).check()
    await page.getByLabel("Compare v1", { exact: true }).check()
    const table = page.getByRole("table", { name: "Numeric metadata of the chosen versions" })
    await table.waitFor()
    const cells = async (metric: string) =>
      (
        await table
          .getByRole("row", { name: new RegExp(`^${metric}`) })
          .getByRole("cell")
          .allTextContents()
      ).sort()
    expect(await cells("accuracy")).toEqual(["0.87", "0.93"])
    expect(await cells("epochs")).toEqual(["10", "5"])
    const chart = page.getByRole("img", { name: /^Chart of (?=.*accuracy)(?=.*loss)(?=.*epochs).* for v\d, v\d$/ })
    await chart.locator("canvas").first().waitFor()
    await screenshot(page, "metrics")
  })

  it("a registry admin protects an alias and grants and revokes a role; a member's change is refused beside its field", async () => {
    const alice = (await as("alice")).page
    await alice.goto(`${server.url}/ui/r/Models`)
    const settings = alice.getByRole("region", { name: "Settings (registry admins)" })
    await settings.getByLabel("Protected aliases", { exact: true }).fill("production, staging")
    await settings.getByRole("button", { name: "Set protected aliases" }).click()
    await settings.getByRole("status").filter({ hasText: "Saved." }).waitFor()
    await settings.getByLabel("Name", { exact: true }).fill("carol")
    await settings.getByLabel("Role", { exact: true }).selectOption("viewer")
    await settings.getByRole("button", { name: "Grant" }).click()
    const members = alice.getByRole("region", { name: "Members and roles" })
    await members.getByRole("row", { name: /^carol user viewer$/ }).waitFor()
    await screenshot(alice, "registry-settings")
    await alice.reload()
    await expect(
      alice
        .getByRole("region", { name: "Settings (registry admins)" })
        .getByLabel("Protected aliases", { exact: true })
        .inputValue()
    ).resolves.toBe("production, staging")
    await alice.getByRole("button", { name: "Revoke the role of user carol" }).click()
    await members.getByRole("row", { name: /^carol / }).waitFor({ state: "detached" })

    const bob = (await as("bob")).page
    await bob.goto(`${server.url}/ui/r/Models`)
    const refused = bob.getByRole("region", { name: "Settings (registry admins)" })
    await refused.getByLabel("Protected aliases", { exact: true }).fill("")
    await refused.getByRole("button", { name: "Set protected aliases" }).click()
    await refused.getByRole("alert").waitFor()
    expect(await refused.getByRole("alert").getAttribute("data-code")).toBe("InsufficientRole")
    expect(await descriptionOf(refused, "Protected aliases")).toMatch(/admin/)
  })

  it("bob finds versions with W&B's filter language, and a refused filter is explained beside it", async () => {
    const { page } = await as("bob")
    await page.getByRole("search").getByRole("button", { name: "Search" }).click()
    const form = page.getByRole("form", { name: "Find versions with filters" })
    await form.getByLabel("Registries filter", { exact: true }).fill('{"name": "Models"}')
    await form.getByLabel("Collections filter", { exact: true }).fill('{"name": {"$regex": "^Zoo_"}}')
    await form.getByLabel("Versions filter", { exact: true }).fill('{"alias": {"$in": ["production", "candidate"]}}')
    await form.getByLabel("Order", { exact: true }).fill("-created_at")
    await form.getByRole("button", { name: "Find versions" }).click()
    const found = page.getByRole("table", { name: "Versions found" })
    await found.waitFor()
    // Zoo_Candidates v0 (candidate) was linked after Zoo_Classifier_Models v0 (production since alice moved it).
    expect(await found.getByRole("rowheader").allTextContents()).toEqual([
      "wandb-registry-Models/Zoo_Candidates:v0",
      "wandb-registry-Models/Zoo_Classifier_Models:v0"
    ])
    await screenshot(page, "search-filters")

    await form.getByLabel("Collections filter", { exact: true }).fill('{"name": {"$like": "Zoo"}}')
    await form.getByRole("button", { name: "Find versions" }).click()
    await form.getByRole("alert").waitFor()
    expect(await form.getByRole("alert").getAttribute("data-code")).toBe("UnknownFilterOperator")
    expect(await descriptionOf(form, "Collections filter")).toContain("$like")
    expect(await descriptionOf(form, "Versions filter")).not.toContain("$like")

    await form.getByLabel("Collections filter", { exact: true }).fill("")
    await form.getByLabel("Versions filter", { exact: true }).fill('{"colour": "red"}')
    await form.getByRole("button", { name: "Find versions" }).click()
    await form.getByRole("alert").filter({ hasText: "colour" }).waitFor()
    expect(await form.getByRole("alert").getAttribute("data-code")).toBe("UnknownFilterField")
    expect(await descriptionOf(form, "Versions filter")).toContain("colour")
  })

  it("alice unlinks v0 from Zoo_Candidates: it leaves the versions and the action history records it", async () => {
    const { page } = await as("alice")
    await page.goto(`${server.url}/ui/r/Models/c/Zoo_Candidates`)
    await page.locator("tr[data-version=v0]").waitFor()
    const form = page.getByRole("form", { name: "Unlink a version", exact: true })
    await form.getByLabel("Version to unlink", { exact: true }).fill("v0")
    await form.getByRole("button", { name: "Unlink" }).click()
    await page.getByText("Unlinked v0.").waitFor()
    await page.locator("tr[data-version=v0]").waitFor({ state: "detached" })
    await page.getByText("Action history").click()
    await page
      .getByRole("region", { name: "Action history" })
      .getByRole("listitem")
      .filter({ hasText: /alice.*unlinked v0/ })
      .waitFor()
  })

  it("a registry and a version seen as of before the alias move show that time, with a banner", async () => {
    const { page } = await as("bob")
    const then = encodeURIComponent(beforeAliasMove.toISOString())
    await page.goto(`${server.url}/ui/r/Models/c/Zoo_Classifier_Models/v/v1?asOf=${then}`)
    await page.getByRole("heading", { name: "wandb-registry-Models/Zoo_Classifier_Models:v1" }).waitFor()
    await page
      .getByRole("status")
      .filter({ hasText: /Viewing as of/ })
      .waitFor()
    await expect(page.locator("dl.facts").first().textContent()).resolves.toContain("production")
    await page.goto(`${server.url}/ui/r/Models/c/Zoo_Classifier_Models/v/v1`)
    await page.getByRole("heading", { name: "wandb-registry-Models/Zoo_Classifier_Models:v1" }).waitFor()
    await expect(page.locator("dl.facts").first().textContent()).resolves.not.toContain("production")

    // Zoo_Detectors was created after the move, Zoo_Candidates before it.
    await page.goto(`${server.url}/ui/r/Models?asOf=${then}`)
    await page
      .getByRole("status")
      .filter({ hasText: /Viewing as of/ })
      .waitFor()
    await page.getByRole("link", { name: "Zoo_Candidates", exact: true }).waitFor()
    expect(await page.getByRole("link", { name: "Zoo_Detectors", exact: true }).count()).toBe(0)
    await page.getByRole("link", { name: "Back to now" }).click()
    await page.getByRole("link", { name: "Zoo_Detectors", exact: true }).waitFor()
  })

  it("reads on a narrow window without sideways scrolling, and signs out", async () => {
    const { page, context } = await as("bob")
    await page.setViewportSize({ width: 390, height: 800 })
    await page.goto(`${server.url}/ui/r/Models/c/Zoo_Classifier_Models`)
    await page.getByRole("heading", { name: "Versions" }).waitFor()
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(overflow).toBeLessThanOrEqual(1)
    await screenshot(page, "collection-narrow")
    await page.getByRole("button", { name: "Sign out" }).click()
    await page.getByLabel("API key", { exact: true }).waitFor()
    expect((await context.cookies()).filter((cookie) => cookie.name === "registrar_session")).toEqual([])
  })

  it("ran every page of the story without a script error or a Content-Security-Policy refusal", () => {
    expect(pageProblems).toEqual([])
  })
})
