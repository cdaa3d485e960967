/**
 * The Effect API over the engine: the `AccountOverviewsRemote` service and
 * the remote layer of core's `AccountOverviews`. Each entry point (Node,
 * fetch) makes its layers here with its own default transport.
 */
import {
  AccountOverviews,
  type Credentials,
  type Dialect,
  type Format,
  InvalidRequest,
  type Overview,
  Unavailable
} from "@account-overview/core"
import { Config, Context, Effect, Layer, Option } from "effect"
import type { HttpClient } from "effect/http"
import type { BackoffOptions } from "../Client.js"
import { type RemoteOverviewError, toTaggedError } from "../Errors.js"
import { httpClientTransportFromContext } from "../HttpClientTransport.js"
import type { Transport } from "../Transport.js"
import { makeOverviewCall } from "./engine.js"
import { checkDialect, checkFormat, checkPositive, env, resolveEngineSettings } from "./settings.js"

/**
 * Options of the remote layers.
 *
 * @since 0.1.0
 * @category models
 */
export interface RemoteOptions {
  /** The endpoint's base URL. */
  readonly baseUrl: string | URL
  /** The credentials `AccountOverviewsRemote.overview` uses; `overviewWith` and `AccountOverviews` take their own. */
  readonly credentials?: Credentials | undefined
  readonly format?: Format | undefined
  readonly dialect?: Dialect | undefined
  readonly method?: "POST" | "GET" | undefined
  readonly timeoutMs?: number | undefined
  readonly deadlineMs?: number | undefined
  readonly maxRetries?: number | undefined
  readonly maxResponseBytes?: number | undefined
  readonly backoff?: BackoffOptions | undefined
  readonly userAgent?: string | undefined
  /** The HTTP transport; the layer's default (undici on Node, fetch elsewhere) when not given. */
  readonly transport?: Transport | undefined
}

/**
 * Per-call options of the Effect API.
 *
 * @since 0.1.0
 * @category models
 */
export interface RemoteCallOptions {
  readonly format?: Format | undefined
  readonly dialect?: Dialect | undefined
  readonly timeoutMs?: number | undefined
}

/**
 * The remote overview call as an Effect service: core's tagged failures,
 * `DecodeError` included.
 *
 * @since 0.1.0
 * @category services
 */
export class AccountOverviewsRemote extends Context.Service<
  AccountOverviewsRemote,
  {
    /** With the credentials of the layer. */
    readonly overview: (user: string, options?: RemoteCallOptions) => Effect.Effect<Overview, RemoteOverviewError>
    /** With the given credentials. */
    readonly overviewWith: (
      credentials: Credentials,
      user: string,
      options?: RemoteCallOptions
    ) => Effect.Effect<Overview, RemoteOverviewError>
  }
>()("@account-overview/sdk/AccountOverviewsRemote") {}

const overrides = (options: RemoteCallOptions | undefined) =>
  options === undefined
    ? undefined
    : {
        ...(options.format === undefined ? {} : { format: checkFormat(options.format) }),
        ...(options.dialect === undefined ? {} : { dialect: checkDialect(options.dialect) }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: checkPositive(options.timeoutMs, "timeoutMs") })
      }

const makeService = Effect.fnUntraced(function* <R>(
  options: RemoteOptions,
  transport: Effect.Effect<Transport, never, R>
) {
  const probe = yield* Effect.sync(() =>
    resolveEngineSettings(options, options.baseUrl, () => Promise.reject(new Error("unused")))
  )
  const call = makeOverviewCall({ ...probe, transport: yield* transport })
  const overviewWith = (credentials: Credentials, user: string, callOptions?: RemoteCallOptions) =>
    Effect.suspend(() => Effect.mapError(call(credentials, user, overrides(callOptions)), toTaggedError))
  const configured = options.credentials
  return AccountOverviewsRemote.of({
    overviewWith,
    overview: (user, callOptions) =>
      configured === undefined
        ? Effect.fail(
            new InvalidRequest({
              messages: [`no credentials configured: set ${env.apiUser} and ${env.apiKey}, or pass credentials`]
            })
          )
        : overviewWith(configured, user, callOptions)
  })
})

/** Core's `AccountOverviews` over the remote service; a `DecodeError` is the server's failure there. */
const accountOverviews = Layer.effect(
  AccountOverviews,
  Effect.gen(function* () {
    const remote = yield* AccountOverviewsRemote
    return AccountOverviews.of({
      overview: (credentials, user) =>
        remote
          .overviewWith(credentials, user)
          .pipe(
            Effect.catchTag("DecodeError", (error) =>
              Effect.fail(new Unavailable({ reason: "server", detail: error.message }))
            )
          )
    })
  })
)

const withAccountOverviews = <E, R>(remote: Layer.Layer<AccountOverviewsRemote, E, R>) =>
  accountOverviews.pipe(Layer.provideMerge(remote))

export const makeRemoteLayers = (defaultTransport: () => Transport) => {
  const owned = Effect.acquireRelease(Effect.sync(defaultTransport), (transport) =>
    Effect.promise(() => transport.close?.() ?? Promise.resolve())
  )

  const layer = (options: RemoteOptions): Layer.Layer<AccountOverviewsRemote | AccountOverviews> =>
    withAccountOverviews(
      Layer.effect(
        AccountOverviewsRemote,
        makeService(options, options.transport === undefined ? owned : Effect.succeed(options.transport))
      )
    )

  const layerHttpClient = (
    options: Omit<RemoteOptions, "transport">
  ): Layer.Layer<AccountOverviewsRemote | AccountOverviews, never, HttpClient.HttpClient> =>
    withAccountOverviews(Layer.effect(AccountOverviewsRemote, makeService(options, httpClientTransportFromContext)))

  const readConfig = Effect.gen(function* () {
    const baseUrl = yield* Config.URL(env.baseUrl)
    const apiUser = yield* Config.option(Config.NonEmptyString(env.apiUser))
    const apiKey = yield* Config.option(Config.Redacted(env.apiKey))
    const credentials =
      Option.isSome(apiUser) && Option.isSome(apiKey) ? { apiUser: apiUser.value, apiKey: apiKey.value } : undefined
    return { baseUrl, credentials }
  })

  const layerConfig = (
    options: Omit<RemoteOptions, "baseUrl" | "credentials"> = {}
  ): Layer.Layer<AccountOverviewsRemote | AccountOverviews, Config.ConfigError> =>
    Layer.unwrap(
      Effect.map(readConfig, ({ baseUrl, credentials }) =>
        layer({ ...options, baseUrl, ...(credentials === undefined ? {} : { credentials }) })
      )
    )

  return { layer, layerConfig, layerHttpClient }
}
