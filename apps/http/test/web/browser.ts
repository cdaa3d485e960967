// Debian's Chromium driven by playwright-core: found with `command -v
// chromium`, a fresh user data dir per launch, no network but the page's
// own origin (every other request is aborted and recorded: the tests fail
// on any).
import { execSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type BrowserContext, chromium, type Page } from "playwright-core"

export const chromiumPath = (): string => execSync("command -v chromium", { encoding: "utf8", shell: "/bin/sh" }).trim()

export const chromiumFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic"
]

export interface Browser {
  readonly context: BrowserContext
  readonly page: Page
  /** Requests that tried to leave the origin. */
  readonly offOrigin: Array<string>
  /** Console errors and CSP reports of the page. */
  readonly consoleErrors: Array<string>
  readonly close: () => Promise<void>
}

export const launch = async (origin: string): Promise<Browser> => {
  const dir = mkdtempSync(join(tmpdir(), "ao-chromium-"))
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: chromiumPath(),
    args: chromiumFlags,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    locale: "en-US"
  })
  const offOrigin: Array<string> = []
  const consoleErrors: Array<string> = []
  const local = (url: string) => url.startsWith("blob:") || url.startsWith("data:") || new URL(url).origin === origin
  await context.route("**/*", (route) => {
    const url = route.request().url()
    if (local(url)) return route.continue()
    offOrigin.push(url)
    return route.abort("blockedbyclient")
  })
  context.on("request", (request) => {
    if (!local(request.url())) offOrigin.push(request.url())
  })
  const page = context.pages()[0] ?? (await context.newPage())
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().includes("401") && !message.text().includes("404")) {
      consoleErrors.push(message.text())
    }
  })
  page.on("pageerror", (error) => consoleErrors.push(String(error)))
  return {
    context,
    page,
    offOrigin,
    consoleErrors,
    close: async () => {
      await context.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
