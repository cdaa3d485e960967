import { AccountOverviews, AuthenticationFailed, CustomerNotFound, type UsageEvent } from "@account-overview/core"
import { assert, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import {
  AccountOverviewsRemote,
  AuthenticationError,
  createClient,
  createOperatorClient,
  NotFoundError,
  type OverviewResult
} from "../../src/index.js"
import { adminToken, baseUrl, serviceLayer } from "./service.js"

const today = new Date().toISOString().slice(0, 10)

/** Loads a package, two resellers and their customers, and some usage of this cycle; gives the first reseller's key. */
const seed = (url: string) =>
  Effect.promise(async () => {
    const operator = createOperatorClient({ baseUrl: url, adminToken, env: {} })
    await operator.packages.set("Silver Package", { credits: 50_000, overagePrice: 0.001 })
    const created = await operator.resellers.set("acme")
    await operator.resellers.set("globex", { apiKey: "globex-key-0123456789" })
    await operator.customers.set("customer@example.com", {
      reseller: "acme",
      package: "Silver Package",
      billingAnchor: `${today.slice(0, 8)}01`,
      reputation: 97.5
    })
    await operator.customers.set("zoë & co <xml>", {
      reseller: "acme",
      package: "Silver Package",
      billingAnchor: "2020-01-31",
      reputation: 100
    })
    await operator.customers.set("foreign@example.com", {
      reseller: "globex",
      package: "Silver Package",
      billingAnchor: "2020-01-01",
      reputation: 50
    })
    const events: Array<UsageEvent> = Array.from({ length: 30 }, (_, i) => ({
      id: `contract-${i}`,
      user: i % 2 === 0 ? "customer@example.com" : "zoë & co <xml>",
      requests: 1,
      credits: 2_000 + i,
      occurredAt: new Date().toISOString()
    }))
    const summary = await operator.ingest(events)
    assert.strictEqual(summary.accepted, 30)
    const expected = await operator.customers.overview("customer@example.com")
    const other = await operator.customers.overview("zoë & co <xml>")
    await operator.close()
    assert.isString(created.apiKey)
    return { apiKey: created.apiKey!, expected, other }
  })

layer(serviceLayer, { timeout: 60_000, excludeTestServices: true })("the SDK against the microservice", (it) => {
  it.effect(
    "reads the same overview in both formats, both dialects and both methods",
    () =>
      Effect.gen(function* () {
        const url = yield* baseUrl
        const { apiKey, expected, other } = yield* seed(url)
        assert.isAbove(expected.creditsUsed, 0)
        const client = createClient({ baseUrl: url, apiUser: "acme", apiKey, env: {} })
        for (const format of ["json", "xml"] as const) {
          for (const dialect of ["v1", "v2"] as const) {
            for (const method of ["POST", "GET"] as const) {
              const variant = client.withOptions({ format, dialect, method })
              const label = `${format} ${dialect} ${method}`
              assert.deepStrictEqual(
                yield* Effect.promise(() => variant.overview("customer@example.com")),
                expected,
                label
              )
              assert.deepStrictEqual(yield* Effect.promise(() => variant.overview("zoë & co <xml>")), other, label)
              const unknown = yield* Effect.promise(() =>
                variant.overview("nobody@example.com").catch((e: unknown) => e)
              )
              assert.instanceOf(unknown, NotFoundError, label)
              assert.strictEqual((unknown as NotFoundError).status, 404, label)
              assert.isString((unknown as NotFoundError).requestId, label)
              const foreign = yield* Effect.promise(() =>
                variant.overview("foreign@example.com").catch((e: unknown) => e)
              )
              assert.instanceOf(foreign, NotFoundError, label)
              const wrongKey = createClient({
                baseUrl: url,
                apiUser: "acme",
                apiKey: "not-the-right-key",
                format,
                dialect,
                method,
                env: {}
              })
              const refused = yield* Effect.promise(() =>
                wrongKey.overview("customer@example.com").catch((e: unknown) => e)
              )
              assert.instanceOf(refused, AuthenticationError, label)
              assert.deepStrictEqual((refused as AuthenticationError).messages, [
                "Permission denied, wrong credentials"
              ])
              yield* Effect.promise(() => wrongKey.close())
            }
          }
        }
        const results: Array<OverviewResult> = []
        yield* Effect.promise(async () => {
          for await (const result of client.overviews(["customer@example.com", "nobody", "zoë & co <xml>"])) {
            results.push(result)
          }
        })
        assert.deepStrictEqual(
          results.map((r) => [r.user, r.ok]),
          [
            ["customer@example.com", true],
            ["nobody", false],
            ["zoë & co <xml>", true]
          ]
        )
        yield* Effect.promise(() => client.close())
      }),
    60_000
  )

  it.effect(
    "the Effect layers give the same overview and core's tagged errors",
    () =>
      Effect.gen(function* () {
        const url = yield* baseUrl
        const operator = createOperatorClient({ baseUrl: url, adminToken, env: {} })
        const { apiKey } = yield* Effect.promise(() => operator.resellers.rotateKey("acme"))
        const expected = yield* Effect.promise(() => operator.customers.overview("customer@example.com"))
        const credentials = { apiUser: "acme", apiKey: Redacted.make(apiKey!) }
        yield* Effect.gen(function* () {
          const remote = yield* AccountOverviewsRemote
          assert.deepStrictEqual(
            yield* remote.overview("customer@example.com", { format: "xml", dialect: "v2" }),
            expected
          )
          const overviews = yield* AccountOverviews
          assert.deepStrictEqual(yield* overviews.overview(credentials, "customer@example.com"), expected)
          const notFound = yield* Effect.flip(overviews.overview(credentials, "foreign@example.com"))
          assert.instanceOf(notFound, CustomerNotFound)
          const refused = yield* Effect.flip(
            overviews.overview({ apiUser: "acme", apiKey: Redacted.make("not-the-right-key") }, "customer@example.com")
          )
          assert.instanceOf(refused, AuthenticationFailed)
        }).pipe(Effect.provide(AccountOverviewsRemote.layer({ baseUrl: url, credentials })))
      }),
    60_000
  )
})
