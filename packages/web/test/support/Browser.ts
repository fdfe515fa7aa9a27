/**
 * The browser tests' world: a real `registrar serve` (the built bundle) on a copy of the seeded store, and Debian's
 * headless Chromium driven by playwright-core. Screenshots go to packages/web/test-artifacts/ (gitignored).
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core"

/** Where screenshots are saved. */
export const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/", import.meta.url))

const binary = fileURLToPath(new URL("../../../cli-demo/bin/registrar", import.meta.url))

/** A running server on its own copy of the store. */
export interface Serving {
  readonly url: string
  readonly child: ChildProcess
  readonly dataDir: string
  readonly output: () => string
}

/** Copies the seeded store and starts `registrar serve --port 0` on it; waits for its "Listening on" line. */
export const serve = async (template: string): Promise<Serving> => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "registrar-web-"))
  await fs.cp(template, dataDir, { recursive: true })
  const env: NodeJS.ProcessEnv = { ...process.env, REGISTRAR_DATA_DIR: dataDir, NO_COLOR: "1" }
  delete env.DATABASE_URL
  delete env.REGISTRAR_SCHEMA
  const child = spawn(binary, ["serve", "--port", "0"], { env, cwd: dataDir, stdio: "pipe" })
  child.stdin?.end()
  let output = ""
  child.stderr?.on("data", (chunk) => {
    output += chunk.toString()
  })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 120_000)
    child.stdout?.on("data", (chunk) => {
      output += chunk.toString()
      const found = /Listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (found !== null) {
        clearTimeout(timer)
        resolve(found[1]!)
      }
    })
    child.on("exit", (code) => reject(new Error(`serve exited with ${code}:\n${output}`)))
  })
  return { url, child, dataDir, output: () => output }
}

/** Stops the server and removes its store. */
export const stop = async (serving: Serving): Promise<void> => {
  const exited = new Promise((resolve) => serving.child.once("exit", resolve))
  serving.child.kill("SIGTERM")
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))])
  await fs.rm(serving.dataDir, { recursive: true, force: true })
}

/** Debian's Chromium, headless. */
export const launch = (): Promise<Browser> =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--headless",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync"
    ]
  })

/** A person at the app: their own browser context (cookies) and page. */
export interface Person {
  readonly context: BrowserContext
  readonly page: Page
}

/** What the pages reported as broken, across every page opened: uncaught errors and Content-Security-Policy refusals. */
export const pageProblems: Array<string> = []

/** Opens the app in a fresh context and signs in with `key`, by keyboard as a person would. */
export const signIn = async (browser: Browser, url: string, key: string): Promise<Person> => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  const failures: Array<string> = []
  page.on("pageerror", (error) => {
    failures.push(error.message)
    pageProblems.push(error.message)
  })
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) pageProblems.push(message.text())
  })
  await page.goto(url)
  await page.getByLabel("API key").focus()
  await page.keyboard.type(key)
  await page.keyboard.press("Enter")
  await page.getByRole("heading", { name: "Registries", exact: true }).waitFor()
  await page.getByRole("rowheader").first().waitFor()
  if (failures.length > 0) throw new Error(`the page failed: ${failures.join("; ")}`)
  return { context, page }
}

/** Saves a full-page screenshot under {@link ARTIFACTS}. */
export const screenshot = async (page: Page, name: string): Promise<void> => {
  await fs.mkdir(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true })
}

/** The text of what describes an element (aria-describedby): where a field's refusal is shown. */
export const descriptionOf = (scope: Page | Locator, label: string): Promise<string> =>
  scope.getByLabel(label, { exact: true }).evaluate((element) =>
    (element.getAttribute("aria-describedby") ?? "")
      .split(" ")
      .map((id) => document.getElementById(id)?.textContent ?? "")
      .join(" ")
  )
