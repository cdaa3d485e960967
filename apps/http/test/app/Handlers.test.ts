import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Ledger } from "@account-overview/store"
import { assert, describe, layer } from "@effect/vitest"
import { Effect, Layer, Option, Redacted } from "effect"
import { overLedger } from "../../src/Store.js"
import { acme, Harness, harness, other } from "../fixtures/Harness.js"

const adminToken = "handlers-test-admin-token"

interface Answer {
  readonly status: number
  readonly json: Record<string, unknown> | undefined
  readonly setCookie: string | null
}

const request = (
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; cookie?: string; headers?: Record<string, string> } = {}
) =>
  Effect.promise(async (): Promise<Answer> => {
    const headers: Record<string, string> = { ...options.headers }
    if (options.body !== undefined) headers["content-type"] = "application/json"
    if (options.cookie !== undefined) headers.cookie = options.cookie
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body)
    })
    const text = await response.text()
    return {
      status: response.status,
      json: text === "" ? undefined : JSON.parse(text),
      setCookie: response.headers.get("set-cookie")
    }
  })

const signIn = (baseUrl: string, body: Record<string, string>, headers?: Record<string, string>) =>
  Effect.map(
    request(baseUrl, "POST", "/app/api/session", { body, ...(headers === undefined ? {} : { headers }) }),
    (answer) => ({
      ...answer,
      cookie: answer.setCookie?.split(";")[0] ?? "",
      csrf: String(answer.json?.csrfToken ?? "")
    })
  )

const wire = (baseUrl: string, apiKey: string) =>
  Effect.promise(async () => {
    const query = new URLSearchParams({
      api_user: acme.apiUser,
      api_key: apiKey,
      task: "overview",
      user: "under@acme.example"
    })
    return (await fetch(`${baseUrl}/api/distributor.account.json?${query}`)).status
  })

describe("the page's API (src/app/Handlers.ts, src/app/Sessions.ts)", () => {
  layer(harness({ settings: { adminToken: Option.some(Redacted.make(adminToken)), authFailureLimit: 3 } }), {
    excludeTestServices: true
  })("one instance", (it) => {
    it.effect(
      "sets an HttpOnly, SameSite=Strict, Path=/ cookie with an expiry, not Secure over plain HTTP, Secure behind no proxy claim",
      () =>
        Effect.gen(function* () {
          const { baseUrl } = yield* Harness
          const answer = yield* signIn(baseUrl, { apiUser: acme.apiUser, apiKey: acme.apiKey })
          assert.strictEqual(answer.status, 200)
          const cookie = answer.setCookie ?? ""
          assert.match(cookie, /^ao_session=[A-Za-z0-9_-]{43};/)
          assert.match(cookie, /HttpOnly/i)
          assert.match(cookie, /SameSite=Strict/i)
          assert.match(cookie, /Path=\//)
          assert.match(cookie, /Max-Age=28800/)
          assert.notMatch(cookie, /Secure/i)
          assert.deepStrictEqual(Object.keys(answer.json ?? {}).sort(), [
            "apiUser",
            "csrfToken",
            "expiresAt",
            "operator"
          ])
          assert.notInclude(JSON.stringify(answer.json), acme.apiKey)
          const current = yield* request(baseUrl, "GET", "/app/api/session", { cookie: answer.cookie })
          assert.strictEqual(current.status, 200)
          assert.strictEqual(current.json?.csrfToken, answer.csrf)
        })
    )

    it.effect("state-changing calls need the CSRF token and the page's origin", () =>
      Effect.gen(function* () {
        const { baseUrl } = yield* Harness
        const session = yield* signIn(baseUrl, { apiUser: acme.apiUser, apiKey: acme.apiKey })
        const noToken = yield* request(baseUrl, "DELETE", "/app/api/session", { cookie: session.cookie })
        assert.strictEqual(noToken.status, 403)
        const wrongToken = yield* request(baseUrl, "DELETE", "/app/api/session", {
          cookie: session.cookie,
          headers: { "x-csrf-token": "not-the-token" }
        })
        assert.strictEqual(wrongToken.status, 403)
        const elsewhere = yield* request(baseUrl, "DELETE", "/app/api/session", {
          cookie: session.cookie,
          headers: { "x-csrf-token": session.csrf, origin: "https://evil.example" }
        })
        assert.strictEqual(elsewhere.status, 403)
        const crossSignIn = yield* signIn(
          baseUrl,
          { apiUser: acme.apiUser, apiKey: acme.apiKey },
          { origin: "https://evil.example" }
        )
        assert.strictEqual(crossSignIn.status, 401)
        assert.strictEqual(crossSignIn.setCookie, null)
        assert.strictEqual((yield* request(baseUrl, "GET", "/app/api/session", { cookie: session.cookie })).status, 200)
        const out = yield* request(baseUrl, "DELETE", "/app/api/session", {
          cookie: session.cookie,
          headers: { "x-csrf-token": session.csrf, origin: baseUrl }
        })
        assert.isTrue(out.status === 200 || out.status === 204, String(out.status))
        assert.match(out.setCookie ?? "", /Max-Age=0/)
        assert.strictEqual((yield* request(baseUrl, "GET", "/app/api/session", { cookie: session.cookie })).status, 401)
      })
    )

    it.effect("a reseller's session cannot read another reseller's customers; the operator's can", () =>
      Effect.gen(function* () {
        const { baseUrl } = yield* Harness
        const mine = yield* signIn(baseUrl, { apiUser: other.apiUser, apiKey: other.apiKey })
        const own = yield* request(baseUrl, "GET", "/app/api/resellers/other/customers", { cookie: mine.cookie })
        assert.deepStrictEqual(
          ((own.json?.items ?? []) as Array<{ user: string }>).map((i) => i.user),
          ["theirs@other.example"]
        )
        for (const path of [
          "/app/api/resellers/acme/customers",
          "/app/api/resellers/acme/customers?limit=10",
          "/app/api/customers/under%40acme.example",
          "/app/api/resellers/nobody/customers"
        ]) {
          const answer = yield* request(baseUrl, "GET", path, { cookie: mine.cookie })
          assert.strictEqual(answer.status, 404, path)
          assert.notInclude(JSON.stringify(answer.json), "under@acme.example")
        }
        assert.deepStrictEqual(
          (yield* request(baseUrl, "GET", "/app/api/resellers", { cookie: mine.cookie })).json as unknown,
          ["other"]
        )
        const anonymous = yield* request(baseUrl, "GET", "/app/api/resellers/acme/customers")
        assert.strictEqual(anonymous.status, 401)

        const operator = yield* signIn(baseUrl, { adminToken })
        assert.strictEqual(operator.json?.operator, true)
        assert.deepStrictEqual(
          (yield* request(baseUrl, "GET", "/app/api/resellers", { cookie: operator.cookie })).json as unknown,
          ["acme", "other"]
        )
        const book = yield* request(baseUrl, "GET", "/app/api/resellers/acme/customers", { cookie: operator.cookie })
        assert.strictEqual(((book.json?.items ?? []) as Array<unknown>).length, 5)
        const one = yield* request(baseUrl, "GET", "/app/api/customers/over%40acme.example", {
          cookie: operator.cookie
        })
        assert.strictEqual(one.status, 200)
        const overview = one.json?.overview as Record<string, number>
        assert.strictEqual(overview.creditsUsed, 100_000)
        const cycles = one.json?.cycles as Array<{
          start: string
          days: Array<{ day: string; requests: number; credits: number }>
        }>
        assert.strictEqual(cycles[0]?.start, "2024-02-29")
        assert.deepStrictEqual(cycles[0]?.days, [
          { day: "2024-03-01", requests: 50_000, credits: 60_000 },
          { day: "2024-03-28", requests: 10_000, credits: 40_000 }
        ])
        assert.strictEqual((yield* signIn(baseUrl, { adminToken: "wrong" })).status, 401)
      })
    )

    it.effect("documents the page's API in the OpenAPI document", () =>
      Effect.gen(function* () {
        const { baseUrl } = yield* Harness
        const doc = (yield* request(baseUrl, "GET", "/openapi.json")).json as { paths: Record<string, unknown> }
        for (const path of [
          "/app/api/session",
          "/app/api/resellers",
          "/app/api/resellers/{apiUser}/customers",
          "/app/api/customers/{user}"
        ]) {
          assert.property(doc.paths, path)
        }
        assert.property(doc.paths, "/v1/packages")
      })
    )
  })

  layer(harness({ settings: { authFailureLimit: 3 } }), { excludeTestServices: true })("throttles", (it) => {
    it.effect("failed sign-ins count in the wire's throttles, and the wire's in the page's", () =>
      Effect.gen(function* () {
        const { baseUrl } = yield* Harness
        for (let i = 0; i < 3; i++) {
          const failed = yield* signIn(baseUrl, { apiUser: acme.apiUser, apiKey: "wrong" })
          assert.strictEqual(failed.status, 401)
          assert.notInclude(JSON.stringify(failed.json), 'wrong"')
        }
        // Blocked now: on the page, and on the wire even with the right key.
        const blocked = yield* signIn(baseUrl, { apiUser: acme.apiUser, apiKey: acme.apiKey })
        assert.strictEqual(blocked.status, 429)
        assert.isAbove(Number(blocked.json?.retryAfterSeconds), 0)
        assert.strictEqual(yield* wire(baseUrl, acme.apiKey), 429)
      })
    )
  })

  // Two instances on one ledger file: a key rotated through one ends the sessions on the other.
  const shared = Layer.unwrap(
    Effect.gen(function* () {
      const dir = mkdtempSync(join(tmpdir(), "ao-page-shared-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
      return Layer.succeed(SharedFile, join(dir, "ledger.db"))
    })
  )
  layer(shared, { excludeTestServices: true, timeout: 60_000 })("two instances", (it) => {
    it.effect("a rotated reseller key ends its sessions on every instance; sign out on one ends it on the other", () =>
      Effect.gen(function* () {
        const file = yield* SharedFile
        const settings = { adminToken: Option.some(Redacted.make(adminToken)) }
        const store = () => overLedger(Ledger.layerSqlite(file)).pipe(Layer.orDie)
        const a = yield* Layer.build(harness({ settings, store: store() }))
        const b = yield* Layer.build(harness({ settings, store: store() }))
        const first = a.mapUnsafe.get(Harness.key) as Harness["Service"]
        const second = b.mapUnsafe.get(Harness.key) as Harness["Service"]
        const ledger = a.mapUnsafe.get(Ledger.key) as Ledger["Service"]
        yield* ledger.upsertPackage({ name: "Silver Package", credits: 10 }).pipe(Effect.orDie)
        yield* ledger.upsertReseller(acme.apiUser, Redacted.make(acme.apiKey)).pipe(Effect.orDie)
        const one = yield* signIn(first.baseUrl, { apiUser: acme.apiUser, apiKey: acme.apiKey })
        const two = yield* signIn(first.baseUrl, { apiUser: acme.apiUser, apiKey: acme.apiKey })
        assert.strictEqual(
          (yield* request(second.baseUrl, "GET", "/app/api/session", { cookie: one.cookie })).status,
          200
        )
        // Sign out on the first instance: the second refuses the session.
        const out = yield* request(first.baseUrl, "DELETE", "/app/api/session", {
          cookie: one.cookie,
          headers: { "x-csrf-token": one.csrf }
        })
        assert.isTrue(out.status === 200 || out.status === 204, String(out.status))
        assert.strictEqual(
          (yield* request(second.baseUrl, "GET", "/app/api/session", { cookie: one.cookie })).status,
          401
        )
        // Rotate the key through the second instance's operator API: the first refuses the other session.
        const rotated = yield* Effect.promise(() =>
          fetch(`${second.baseUrl}/v1/resellers/acme/rotate-key`, {
            method: "POST",
            headers: { authorization: `Bearer ${adminToken}` }
          })
        )
        assert.strictEqual(rotated.status, 200)
        const after = yield* request(first.baseUrl, "GET", "/app/api/session", { cookie: two.cookie })
        assert.strictEqual(after.status, 401)
        assert.include(String(after.json?.message), "key changed")
      })
    )
  })
})

import { Context } from "effect"

class SharedFile extends Context.Service<SharedFile, string>()("test/SharedFile") {}
