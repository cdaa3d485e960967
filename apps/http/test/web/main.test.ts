// The page in a real browser (Debian's Chromium through playwright-core):
// signing in as the demo reseller, the book against the wire, sorting,
// filtering, the customer view and its chart, CSV export, sign out, another
// reseller's customers unreachable, keyboard-only use, axe-core, 320 px and
// 200 % zoom, light and dark screenshots, and nothing leaving the origin.
import { mkdirSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { Ledger } from "@account-overview/store"
import { assert, layer } from "@effect/vitest"
import { Clock, Effect, Option, Redacted } from "effect"
import type { Page } from "playwright-core"
import { demoApiKey, demoApiUser, demoCustomers, seedDemo } from "../../src/Demo.js"
import { acme, Harness, harness } from "../fixtures/Harness.js"
import { type Browser, launch } from "./browser.js"

const adminToken = "page-test-admin-token-5d1f"
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8")
const screenshots = fileURLToPath(new URL("../../../../docs/screenshots/", import.meta.url))

const wireOverview = async (baseUrl: string, user: string) => {
  const query = new URLSearchParams({ api_user: demoApiUser, api_key: demoApiKey, task: "overview", user })
  const response = await fetch(`${baseUrl}/api/distributor.account.json?${query}`)
  assert.strictEqual(response.status, 200)
  return (await response.json()) as Record<string, number | string>
}

const axe = async (page: Page, label: string) => {
  await page.evaluate(axeSource)
  const result = (await page.evaluate(async () => {
    const run = (globalThis as unknown as { axe: { run: (o: unknown) => Promise<unknown> } }).axe.run
    return run({ resultTypes: ["violations"] })
  })) as { violations: ReadonlyArray<{ id: string; impact: string; nodes: ReadonlyArray<{ target: unknown }> }> }
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
  assert.deepStrictEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${JSON.stringify(v.nodes.map((n) => n.target))}`),
    [],
    `axe on ${label}`
  )
}

const signIn = async (page: Page, apiUser: string, apiKey: string) => {
  await page.getByLabel("API user").fill(apiUser)
  await page.getByLabel("API key").fill(apiKey)
  await page.getByRole("button", { name: "Sign in", exact: true }).click()
  await page.locator("#book tbody tr[data-user]").first().waitFor()
}

const usersInOrder = (page: Page) =>
  page.locator("#book tbody tr[data-user]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-user")))

const fitsWidth = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)

const cookieHeader = async (browser: Browser, origin: string) =>
  (await browser.context.cookies(origin)).map((c) => `${c.name}=${c.value}`).join("; ")

layer(harness({ settings: { adminToken: Option.some(Redacted.make(adminToken)) } }), {
  timeout: 180_000,
  excludeTestServices: true
})("the page in Chromium (web/src/main.ts)", (it) => {
  it.effect(
    "signs in as the demo reseller and shows its book as the wire does; sorts, filters, exports, opens a customer, signs out; another reseller cannot reach it",
    () =>
      Effect.gen(function* () {
        const { baseUrl, clock } = yield* Harness
        clock.now = Date.now()
        yield* seedDemo.pipe(Effect.provideService(Clock.Clock, clock), Effect.orDie)
        const browser = yield* Effect.promise(() => launch(baseUrl))
        yield* Effect.addFinalizer(() => Effect.promise(() => browser.close()))
        yield* Effect.promise(async () => {
          const { page } = browser
          // `/` redirects to `/app/`, whose CSP has no unsafe-inline.
          const response = await page.goto(`${baseUrl}/`)
          assert.strictEqual(new URL(page.url()).pathname, "/app/")
          const csp = response?.headers()["content-security-policy"] ?? ""
          assert.include(csp, "script-src 'self'")
          assert.notInclude(csp, "unsafe-inline")
          await page.getByLabel("API user").waitFor()
          await axe(page, "the sign-in form")

          // A wrong key is refused, and stays out of the page.
          await page.getByLabel("API user").fill(demoApiUser)
          await page.getByLabel("API key").fill("wrong-key")
          await page.getByRole("button", { name: "Sign in", exact: true }).click()
          await page.getByRole("alert").filter({ hasText: "Sign-in failed" }).waitFor()

          await signIn(page, demoApiUser, demoApiKey)
          // Four rows whose bars carry the wire's credits_used / credits_allowed.
          assert.strictEqual(await page.locator("#book tbody tr[data-user]").count(), 4)
          for (const customer of demoCustomers) {
            const wire = await wireOverview(baseUrl, customer.user)
            const bar = page.locator(`#book tr[data-user="${customer.user}"] [role=progressbar]`)
            assert.strictEqual(await bar.getAttribute("aria-valuenow"), String(wire.credits_used), customer.user)
            assert.strictEqual(await bar.getAttribute("aria-valuemax"), String(wire.credits_allowed), customer.user)
            const row = page.locator(`#book tr[data-user="${customer.user}"]`)
            const overage = Number(wire.credits_overage)
            if (overage > 0) {
              assert.include(await row.innerText(), `overage ${overage.toLocaleString("en-US")}`)
            } else {
              assert.include(await row.innerText(), "no overage")
            }
          }
          assert.include(await page.locator('#book tr[data-user="over@demo.example"]').innerText(), "overage 50,000")
          assert.match(
            await page.locator('#book tr[data-user="under@demo.example"]').innerText(),
            /day \d+ of \d+, \d+ days? left/
          )

          // The key is nowhere in the browser; the cookie is HttpOnly, SameSite=Strict, Path=/, with an expiry.
          const stored = await page.evaluate(() => ({
            local: localStorage.length,
            session: sessionStorage.length,
            cookie: document.cookie,
            html: document.documentElement.outerHTML
          }))
          assert.deepStrictEqual([stored.local, stored.session, stored.cookie], [0, 0, ""])
          assert.notInclude(stored.html, demoApiKey)
          const [cookie] = await browser.context.cookies(baseUrl)
          assert.strictEqual(cookie?.name, "ao_session")
          assert.isTrue(cookie?.httpOnly)
          assert.strictEqual(cookie?.sameSite, "Strict")
          assert.strictEqual(cookie?.path, "/")
          assert.isAbove(cookie?.expires ?? 0, Date.now() / 1000)
          await axe(page, "the book (light)")

          mkdirSync(screenshots, { recursive: true })
          await page.screenshot({ path: `${screenshots}book-light.png`, fullPage: true })
          await page.emulateMedia({ colorScheme: "dark" })
          await axe(page, "the book (dark)")
          await page.screenshot({ path: `${screenshots}book-dark.png`, fullPage: true })
          await page.emulateMedia({ colorScheme: "light" })

          // Sorting by credits used (share of the allowance), both ways.
          await page.getByRole("button", { name: "Credits used" }).click()
          assert.deepStrictEqual(await usersInOrder(page), [
            "month-end@demo.example",
            "under@demo.example",
            "umlaut@demo.example",
            "over@demo.example"
          ])
          assert.strictEqual(
            await page
              .locator("th", { has: page.getByRole("button", { name: "Credits used" }) })
              .getAttribute("aria-sort"),
            "ascending"
          )
          await page.getByRole("button", { name: "Credits used" }).click()
          assert.strictEqual((await usersInOrder(page))[0], "over@demo.example")
          await page.getByRole("button", { name: "Customer" }).click()
          assert.deepStrictEqual(await usersInOrder(page), [
            "month-end@demo.example",
            "over@demo.example",
            "umlaut@demo.example",
            "under@demo.example"
          ])

          // Filtering by state, by name, and searching.
          await page.getByLabel("State").selectOption("over")
          assert.deepStrictEqual(await usersInOrder(page), ["over@demo.example", "umlaut@demo.example"])
          await page.getByLabel("State").selectOption("near")
          assert.deepStrictEqual(await usersInOrder(page), [])
          await page.getByLabel("State").selectOption("all")
          await page.getByLabel("Filter by name").fill("umlaut")
          assert.deepStrictEqual(await usersInOrder(page), ["umlaut@demo.example"])
          await page.getByLabel("Filter by name").fill("")
          await page.getByLabel("Search").fill("Paket")
          assert.deepStrictEqual(await usersInOrder(page), ["umlaut@demo.example"])
          await page.getByLabel("Search").fill("")
          assert.strictEqual((await usersInOrder(page)).length, 4)

          // CSV export: the CLI's columns, one line a customer.
          const [download] = await Promise.all([
            page.waitForEvent("download"),
            page.getByRole("button", { name: "Export CSV" }).click()
          ])
          const csv = readFileSync((await download.path()) as string, "utf8")
            .trimEnd()
            .split("\n")
          assert.strictEqual(
            csv[0],
            "user,reputation,requests,package,credits_allowed,credits_used,credits_remain,credits_overage,billing_start_date,billing_end_date,billing_process_date"
          )
          assert.strictEqual(csv.length, 5)
          const overWire = await wireOverview(baseUrl, "over@demo.example")
          assert.include(
            csv,
            [
              "over@demo.example",
              overWire.reputation,
              overWire.requests,
              overWire.package,
              overWire.credits_allowed,
              overWire.credits_used,
              overWire.credits_remain,
              overWire.credits_overage,
              overWire.billing_start_date,
              overWire.billing_end_date,
              overWire.billing_process_date
            ].join(",")
          )

          // One customer: the wire's overview and the chart of its cycle.
          await page.getByRole("link", { name: "over@demo.example" }).click()
          await page.getByRole("heading", { name: "over@demo.example" }).waitFor()
          const facts = await page.locator("dl.overview").innerText()
          assert.include(facts, "credits_used")
          assert.include(facts, Number(overWire.credits_used).toLocaleString("en-US"))
          assert.include(facts, String(overWire.billing_start_date))
          const chart = page.locator("svg.chart")
          const days =
            (Date.parse(String(overWire.billing_end_date)) - Date.parse(String(overWire.billing_start_date))) /
              86_400_000 +
            1
          assert.strictEqual(await chart.locator("rect.day").count(), days)
          const points = ((await chart.locator("polyline.cumulative").getAttribute("points")) ?? "").split(" ")
          assert.strictEqual(points.length, days)
          assert.strictEqual(await chart.locator("line.allowance").count(), 1)
          assert.include(
            (await chart.locator("title").textContent()) ?? "",
            "100,000 in all against an allowance of 50,000"
          )
          await axe(page, "one customer (light)")
          await page.screenshot({ path: `${screenshots}customer-light.png`, fullPage: true })
          await page.emulateMedia({ colorScheme: "dark" })
          await axe(page, "one customer (dark)")
          await page.screenshot({ path: `${screenshots}customer-dark.png`, fullPage: true })
          await page.emulateMedia({ colorScheme: "light" })

          // 320 px wide and 200 % zoom (640 CSS px on a 2x screen): no page-wide scrolling.
          for (const size of [
            { width: 320, height: 640 },
            { width: 640, height: 450 }
          ]) {
            await page.setViewportSize(size)
            assert.isTrue(await fitsWidth(page), `the customer at ${size.width} px`)
            await page.getByRole("link", { name: "← Back to the book" }).click()
            await page.locator("#book tbody tr[data-user]").first().waitFor()
            assert.isTrue(await fitsWidth(page), `the book at ${size.width} px`)
            await page.getByRole("link", { name: "over@demo.example" }).click()
            await page.getByRole("heading", { name: "over@demo.example" }).waitFor()
          }
          await page.setViewportSize({ width: 1280, height: 900 })

          // Sign out: the session ends on the server too.
          const before = await cookieHeader(browser, baseUrl)
          await page.getByRole("button", { name: "Sign out" }).click()
          await page.getByLabel("API user").waitFor()
          const replay = await fetch(`${baseUrl}/app/api/session`, { headers: { cookie: before } })
          assert.strictEqual(replay.status, 401)
          assert.strictEqual(await page.evaluate(async () => (await fetch("/app/api/session")).status), 401)

          // Another reseller: its book holds its own customers only; the demo's are not found (page and API).
          await signIn(page, acme.apiUser, acme.apiKey)
          const theirs = await usersInOrder(page)
          assert.isTrue(theirs.length > 0 && theirs.every((u) => u?.endsWith("@acme.example")), theirs.join(", "))
          await page.goto(`${baseUrl}/app/#/customer/${encodeURIComponent("over@demo.example")}`)
          await page.getByRole("heading", { name: "Customer not found" }).waitFor()
          assert.notInclude(await page.locator("main").innerText(), "100,000")
          const acmeCookie = await cookieHeader(browser, baseUrl)
          for (const path of ["/app/api/resellers/demo/customers", "/app/api/customers/over%40demo.example"]) {
            const answer = await fetch(`${baseUrl}${path}`, { headers: { cookie: acmeCookie } })
            assert.strictEqual(answer.status, 404, path)
            assert.notInclude(await answer.text(), "100000")
          }
          const fromPage = await page.evaluate(async () => (await fetch("/app/api/resellers/demo/customers")).status)
          assert.strictEqual(fromPage, 404)

          assert.deepStrictEqual(browser.offOrigin, [], "requests that left the origin")
          assert.deepStrictEqual(browser.consoleErrors, [], "console errors (CSP reports among them)")
        })
      }),
    120_000
  )

  it.effect(
    "is usable with the keyboard alone, and lets the operator switch resellers",
    () =>
      Effect.gen(function* () {
        const { baseUrl, clock } = yield* Harness
        clock.now = Date.now()
        yield* seedDemo.pipe(Effect.provideService(Clock.Clock, clock), Effect.orDie)
        const browser = yield* Effect.promise(() => launch(baseUrl))
        yield* Effect.addFinalizer(() => Effect.promise(() => browser.close()))
        yield* Effect.promise(async () => {
          const { page } = browser
          await page.goto(`${baseUrl}/app/`)
          await page.getByLabel("API user").waitFor()
          const focused = () =>
            page.evaluate(() => {
              const el = document.activeElement
              return `${el?.tagName.toLowerCase()}:${el?.getAttribute("id") ?? el?.textContent?.trim() ?? ""}`
            })
          // The API user field has the focus; type, Tab, type, Enter.
          assert.strictEqual(await focused(), "input:api-user")
          await page.keyboard.type(demoApiUser)
          await page.keyboard.press("Tab")
          assert.strictEqual(await focused(), "input:api-key")
          await page.keyboard.type(demoApiKey)
          await page.keyboard.press("Enter")
          await page.locator("#book tbody tr[data-user]").first().waitFor()
          // Tab to a sort button and sort, then on to a customer and open it.
          let steps = 0
          while ((await focused()) !== "button:Customer ▲" && steps++ < 40) await page.keyboard.press("Tab")
          await page.keyboard.press("Tab")
          assert.strictEqual(await focused(), "button:Package")
          await page.keyboard.press("Enter")
          assert.strictEqual(
            await page.locator("th", { has: page.getByRole("button", { name: "Package" }) }).getAttribute("aria-sort"),
            "ascending"
          )
          steps = 0
          while ((await focused()) !== "a:over@demo.example" && steps++ < 60) await page.keyboard.press("Tab")
          assert.strictEqual(await focused(), "a:over@demo.example")
          await page.keyboard.press("Enter")
          await page.getByRole("heading", { name: "over@demo.example" }).waitFor()
          assert.strictEqual(await focused(), "h1:customer-title")
          await page.keyboard.press("Shift+Tab")
          assert.strictEqual(await focused(), "a:back")
          await page.keyboard.press("Enter")
          await page.locator("#book tbody tr[data-user]").first().waitFor()
          assert.strictEqual(await focused(), "h1:book-title")
          // Sign out with the keyboard.
          steps = 0
          while ((await focused()) !== "button:sign-out" && steps++ < 60) await page.keyboard.press("Shift+Tab")
          await page.keyboard.press("Enter")
          await page.getByLabel("API user").waitFor()

          // The operator signs in with the admin token and switches resellers.
          await page.getByText("Sign in as the operator").click()
          await page.getByLabel("Admin token").fill(adminToken)
          await page.getByRole("button", { name: "Sign in as operator" }).click()
          await page.getByLabel("Reseller").waitFor()
          await page.locator("#book tbody tr[data-user]").first().waitFor()
          assert.strictEqual(await page.getByLabel("Reseller").inputValue(), "acme")
          await page.getByLabel("Reseller").selectOption(demoApiUser)
          await page.getByRole("heading", { name: `Customers of ${demoApiUser}` }).waitFor()
          await page.locator('#book tr[data-user="over@demo.example"]').waitFor()
          assert.strictEqual(await page.locator("#book tbody tr[data-user]").count(), 4)
          await axe(page, "the operator's book")
          assert.deepStrictEqual(browser.offOrigin, [])
          assert.deepStrictEqual(browser.consoleErrors, [])
        })
      }),
    120_000
  )

  it.effect(
    "paints the first page of a 10,000-customer book fast (the figure is printed), and pages through it",
    () =>
      Effect.gen(function* () {
        const { baseUrl } = yield* Harness
        const ledger = yield* Ledger
        yield* ledger.upsertReseller("big", Redacted.make("big-reseller-key-0000")).pipe(Effect.orDie)
        const users = Array.from({ length: 10_000 }, (_, i) => `c${String(i).padStart(5, "0")}@big.example`)
        yield* Effect.forEach(
          users,
          (user, i) =>
            ledger.upsertCustomer({
              user,
              reseller: "big",
              package: "Silver Package",
              billingAnchor: "2010-08-30" as never,
              reputation: i % 101
            }),
          { discard: true }
        ).pipe(Effect.orDie)
        const browser = yield* Effect.promise(() => launch(baseUrl))
        yield* Effect.addFinalizer(() => Effect.promise(() => browser.close()))
        yield* Effect.promise(async () => {
          const { page } = browser
          await page.goto(`${baseUrl}/app/`)
          await signIn(page, "big", "big-reseller-key-0000")
          // A fresh load with the session: navigation start to the first row painted.
          await page.goto(`${baseUrl}/app/`)
          const firstPaint = await page.evaluate(
            () =>
              new Promise<number>((resolve) => {
                const done = () => requestAnimationFrame(() => resolve(performance.now()))
                const seen = () => document.querySelector("#book tbody tr[data-user]") !== null
                if (seen()) return done()
                new MutationObserver((_, observer) => {
                  if (seen()) {
                    observer.disconnect()
                    done()
                  }
                }).observe(document.body, { childList: true, subtree: true })
              })
          )
          await page.getByText("10,000 of 10,000 customers").waitFor({ timeout: 60_000 })
          const sortStart = Date.now()
          await page.getByRole("button", { name: "Reputation" }).click()
          await page.getByRole("button", { name: "Reputation" }).click()
          const sortMs = Date.now() - sortStart
          assert.strictEqual(await page.locator("#book tbody tr[data-user]").count(), 50)
          await page.getByText("Page 1 of 200").waitFor()
          await page.getByRole("button", { name: "Next page" }).click()
          await page.getByText("Page 2 of 200").waitFor()
          console.log(
            `10,000 customers: first row painted ${Math.round(firstPaint)} ms after navigation; two sorts ${sortMs} ms`
          )
          // The figure is printed above (about 0.6 s on an idle 2-core machine); the bound is loose
          // so a shared, loaded machine does not fail it, yet rendering the whole book would.
          assert.isBelow(firstPaint, 5_000, "first paint of the 10,000-customer book")
          assert.deepStrictEqual(browser.offOrigin, [])
        })
      }),
    180_000
  )
})
