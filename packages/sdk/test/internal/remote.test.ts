import { AccountOverviews, AuthenticationFailed, Unavailable } from "@account-overview/core"
import { assert, describe, it, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Layer, Redacted } from "effect"
import { FetchHttpClient } from "effect/http"
import { AccountOverviewsRemote as FetchAccountOverviewsRemote } from "../../src/fetch.js"
import {
  AccountOverviewsRemote,
  ConfigurationError,
  ConnectionError,
  DecodeError,
  InvalidRequestError,
  NotFoundError,
  RateLimitError,
  ServerError,
  TimeoutError
} from "../../src/index.js"
import { contentType, overview, sendError, sendOverview, startServer, type TestServer } from "../support/servers.js"

const credentials = { apiUser: "reseller", apiKey: Redacted.make("k3y") }
const fast = { baseMs: 1, capMs: 5 }

const server = (handler: Parameters<typeof startServer>[0]) =>
  Effect.acquireRelease(
    Effect.promise(() => startServer(handler)),
    (s) => Effect.promise(() => s.close())
  )

/** Answers by the `user` parameter: `ok`, `unknown` (404), `bad` (400), `busy` (429), `down` (503), `garbage`, `reset`, `hang`. */
const byUser = (_req: unknown, res: import("node:http").ServerResponse, request: { body: string; url: string }) => {
  const user = new URLSearchParams(request.body || request.url.split("?")[1]).get("user")
  const key = new URLSearchParams(request.body || request.url.split("?")[1]).get("api_key")
  if (key !== "k3y") return sendError(res, 401, ["Permission denied, wrong credentials"])
  switch (user) {
    case "unknown":
      return sendError(res, 404, ["User not found"])
    case "bad":
      return sendError(res, 400, ["user: too long"])
    case "busy":
      return sendError(res, 429, ["Too many requests"], { "retry-after": "120" })
    case "down":
      return sendError(res, 503, ["Service unavailable, retry later"])
    case "garbage":
      res.writeHead(200, { "content-type": contentType.json })
      return res.end("<<<")
    case "reset":
      return res.socket?.destroy()
    case "hang":
      return
    default:
      return sendOverview(res)
  }
}

const shared = Layer.unwrap(
  Effect.map(server(byUser), (s: TestServer) =>
    AccountOverviewsRemote.layer({ baseUrl: s.url, credentials, maxRetries: 1, backoff: fast, timeoutMs: 200 })
  )
)

layer(shared)("AccountOverviewsRemote.layer", (it) => {
  it.effect("gives the overview with the layer's credentials", () =>
    Effect.gen(function* () {
      const remote = yield* AccountOverviewsRemote
      assert.deepStrictEqual(yield* remote.overview("ok"), overview)
    })
  )

  it.effect("gives core's AccountOverviews with per-call credentials", () =>
    Effect.gen(function* () {
      const overviews = yield* AccountOverviews
      assert.deepStrictEqual(yield* overviews.overview(credentials, "ok"), overview)
      const refused = yield* Effect.flip(
        overviews.overview({ apiUser: "reseller", apiKey: Redacted.make("nope") }, "ok")
      )
      assert.instanceOf(refused, AuthenticationFailed)
    })
  )

  it.effect("fails with the SDK's tagged errors, as the engine raises them", () =>
    Effect.gen(function* () {
      const remote = yield* AccountOverviewsRemote
      const notFound = yield* Effect.flip(remote.overview("unknown"))
      assert.instanceOf(notFound, NotFoundError)
      assert.strictEqual((notFound as NotFoundError).user, "unknown")
      const invalid = yield* Effect.flip(remote.overview("bad"))
      assert.instanceOf(invalid, InvalidRequestError)
      assert.deepStrictEqual((invalid as InvalidRequestError).messages, ["user: too long"])
      const limited = yield* Effect.flip(remote.overview("busy"))
      assert.instanceOf(limited, RateLimitError)
      assert.strictEqual((limited as RateLimitError).retryAfterMs, 120_000)
      const down = yield* Effect.flip(remote.overview("down"))
      assert.instanceOf(down, ServerError)
      assert.strictEqual((down as ServerError).status, 503)
      const reset = yield* Effect.flip(remote.overview("reset"))
      assert.instanceOf(reset, ConnectionError)
      const slow = yield* Effect.flip(remote.overview("hang"))
      assert.instanceOf(slow, TimeoutError)
      const garbage = yield* Effect.flip(remote.overview("garbage"))
      assert.instanceOf(garbage, DecodeError)
    })
  )

  it.effect("withResponse gives the overview with its answer's status and headers, and fails as the plain call", () =>
    Effect.gen(function* () {
      const remote = yield* AccountOverviewsRemote
      const { data, response } = yield* remote.withResponse.overview("ok")
      assert.deepStrictEqual(data, overview)
      assert.strictEqual(response.status, 200)
      assert.strictEqual(response.headers["content-type"], contentType.json)
      const other = yield* remote.withResponse.overviewWith(credentials, "ok")
      assert.deepStrictEqual(other.data, overview)
      const notFound = yield* Effect.flip(remote.withResponse.overview("unknown"))
      assert.instanceOf(notFound, NotFoundError)
    })
  )

  it.effect("its errors are caught by tag", () =>
    Effect.gen(function* () {
      const remote = yield* AccountOverviewsRemote
      const user = yield* remote
        .overview("unknown")
        .pipe(Effect.catchTag("NotFoundError", (error) => Effect.succeed(error.user)))
      assert.strictEqual(user, "unknown")
    })
  )

  it.effect("core's AccountOverviews sees a DecodeError as the server's failure", () =>
    Effect.gen(function* () {
      const overviews = yield* AccountOverviews
      const error = yield* Effect.flip(overviews.overview(credentials, "garbage"))
      assert.instanceOf(error, Unavailable)
      assert.strictEqual((error as Unavailable).reason, "server")
      assert.include((error as Unavailable).message, "cannot decode")
    })
  )

  it.effect("takes per-call options and checks them", () =>
    Effect.gen(function* () {
      const remote = yield* AccountOverviewsRemote
      assert.deepStrictEqual(yield* remote.overview("ok", { format: "xml", dialect: "v2", timeoutMs: 1_000 }), overview)
      const exit = yield* Effect.exit(remote.overview("ok", { format: "yaml" as "xml" }))
      assert.isTrue(Exit.hasDies(exit))
    })
  )
})

describe("AccountOverviewsRemote", () => {
  it.effect("without credentials, overview() fails with ConfigurationError naming the settings", () =>
    Effect.gen(function* () {
      const s = yield* server(byUser)
      const error = yield* Effect.flip(
        Effect.flatMap(Effect.service(AccountOverviewsRemote), (remote) => remote.overview("ok")).pipe(
          Effect.provide(AccountOverviewsRemote.layer({ baseUrl: s.url }))
        )
      )
      assert.instanceOf(error, ConfigurationError)
      assert.include((error as ConfigurationError).message, "ACCOUNT_OVERVIEW_API_KEY")
    })
  )

  it.effect("a bad option fails the layer with ConfigurationError naming it", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Effect.asVoid(Effect.service(AccountOverviewsRemote)).pipe(
          Effect.provide(AccountOverviewsRemote.layer({ baseUrl: "http://127.0.0.1:1/?q=1", credentials }))
        )
      )
      assert.instanceOf(error, ConfigurationError)
      assert.strictEqual(error.setting, "baseUrl")
    })
  )

  it.effect("layerConfig reads the base URL and the credentials through Config", () =>
    Effect.gen(function* () {
      const s = yield* server(byUser)
      const config = ConfigProvider.layer(
        ConfigProvider.fromUnknown({
          ACCOUNT_OVERVIEW_BASE_URL: s.url,
          ACCOUNT_OVERVIEW_API_USER: "reseller",
          ACCOUNT_OVERVIEW_API_KEY: "k3y"
        })
      )
      const result = yield* Effect.flatMap(Effect.service(AccountOverviewsRemote), (remote) =>
        remote.overview("ok")
      ).pipe(Effect.provide(AccountOverviewsRemote.layerConfig().pipe(Layer.provide(config))))
      assert.deepStrictEqual(result, overview)
    })
  )

  it.effect("layerConfig fails with a ConfigError when the base URL is missing", () =>
    Effect.gen(function* () {
      const config = ConfigProvider.layer(ConfigProvider.fromUnknown({ ACCOUNT_OVERVIEW_API_KEY: "k3y" }))
      const exit = yield* Effect.exit(
        Effect.asVoid(Effect.service(AccountOverviewsRemote)).pipe(
          Effect.provide(AccountOverviewsRemote.layerConfig().pipe(Layer.provide(config)))
        )
      )
      assert.isTrue(Exit.isFailure(exit))
      assert.include(String(exit), "ACCOUNT_OVERVIEW_BASE_URL")
      assert.notInclude(String(exit), "k3y")
    })
  )

  it.effect("layerHttpClient runs over the effect HttpClient of the context (covers HttpClientTransport.ts)", () =>
    Effect.gen(function* () {
      const s = yield* server(byUser)
      const result = yield* Effect.flatMap(Effect.service(AccountOverviewsRemote), (remote) =>
        remote.overview("ok", { format: "xml" })
      ).pipe(
        Effect.provide(
          AccountOverviewsRemote.layerHttpClient({ baseUrl: s.url, credentials }).pipe(
            Layer.provide(FetchHttpClient.layer)
          )
        )
      )
      assert.deepStrictEqual(result, overview)
      const tooLarge = yield* Effect.flip(
        Effect.flatMap(Effect.service(AccountOverviewsRemote), (remote) => remote.overview("ok")).pipe(
          Effect.provide(
            AccountOverviewsRemote.layerHttpClient({ baseUrl: s.url, credentials, maxResponseBytes: 10 }).pipe(
              Layer.provide(FetchHttpClient.layer)
            )
          )
        )
      )
      assert.instanceOf(tooLarge, DecodeError)
      assert.include((tooLarge as DecodeError).reason, "larger than 10 bytes")
    })
  )

  it.effect("the fetch entry's layer is the same service", () =>
    Effect.gen(function* () {
      const s = yield* server(byUser)
      const result = yield* Effect.flatMap(Effect.service(AccountOverviewsRemote), (remote) =>
        remote.overview("ok")
      ).pipe(Effect.provide(FetchAccountOverviewsRemote.layer({ baseUrl: s.url, credentials })))
      assert.deepStrictEqual(result, overview)
    })
  )

  it.live("interrupting a call hangs up the request", () =>
    Effect.gen(function* () {
      let closed = false
      const s = yield* server((req) => req.socket.on("close", () => (closed = true)))
      const exit = yield* Effect.flatMap(Effect.service(AccountOverviewsRemote), (remote) =>
        remote.overview("hang")
      ).pipe(
        Effect.timeout(50),
        Effect.provide(AccountOverviewsRemote.layer({ baseUrl: s.url, credentials })),
        Effect.exit
      )
      assert.isTrue(Exit.isFailure(exit))
      yield* Effect.sleep(50)
      assert.isTrue(closed)
    })
  )

  it.live("releasing the layer closes its connection pool", () =>
    Effect.gen(function* () {
      let closed = 0
      const s = yield* server((req, res) => {
        req.socket.once("close", () => closed++)
        sendOverview(res)
      })
      yield* Effect.flatMap(Effect.service(AccountOverviewsRemote), (remote) => remote.overview("ok")).pipe(
        Effect.provide(AccountOverviewsRemote.layer({ baseUrl: s.url, credentials }))
      )
      yield* Effect.sleep(50)
      assert.strictEqual(closed, 1)
    })
  )
})
