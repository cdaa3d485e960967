/**
 * The Effect API over the engine: the `AccountOverviewsRemote` service,
 * failing with the SDK's error classes as the engine raises them, and the
 * remote layer of core's `AccountOverviews`, whose contract is core's tagged
 * errors (the one place they are made). Each entry point (Node, fetch) makes
 * its service class here with its own default transport.
 */
import { AccountOverviews, type Credentials, type Overview, Unavailable } from "@account-overview/core"
import { Config, Context, Effect, Layer, Option } from "effect"
import type { HttpClient } from "effect/http"
import type { RemoteCallOptions, RemoteOptions } from "../Client.js"
import { type AccountOverviewError, ConfigurationError, type RemoteOverviewError, toTaggedError } from "../Errors.js"
import { httpClientTransportFromContext } from "../HttpClientTransport.js"
import type { Transport } from "../Transport.js"
import type { WithResponse } from "../WithResponse.js"
import { makeOverviewCall } from "./engine.js"
import { configured, env, resolveEngineSettings } from "./settings.js"

/**
 * The remote overview call as an Effect service, failing with the SDK's
 * error classes (`Effect.catchTag("NotFoundError", ...)`).
 */
export class AccountOverviewsRemoteService extends Context.Service<
  AccountOverviewsRemoteService,
  {
    /** With the credentials of the layer. */
    readonly overview: (user: string, options?: RemoteCallOptions) => Effect.Effect<Overview, RemoteOverviewError>
    /** With the given credentials. */
    readonly overviewWith: (
      credentials: Credentials,
      user: string,
      options?: RemoteCallOptions
    ) => Effect.Effect<Overview, RemoteOverviewError>
    /** The same calls, answering the overview with the response it came in. */
    readonly withResponse: {
      readonly overview: (
        user: string,
        options?: RemoteCallOptions
      ) => Effect.Effect<WithResponse<Overview>, RemoteOverviewError>
      readonly overviewWith: (
        credentials: Credentials,
        user: string,
        options?: RemoteCallOptions
      ) => Effect.Effect<WithResponse<Overview>, RemoteOverviewError>
    }
  }
>()("@account-overview/sdk/AccountOverviewsRemote") {}

const noCredentials = () =>
  new ConfigurationError("credentials", `are not configured: set ${env.apiUser} and ${env.apiKey}, or pass credentials`)

const makeService = Effect.fnUntraced(function* <R>(
  options: RemoteOptions,
  transport: Effect.Effect<Transport, never, R>
) {
  const settings = yield* configured(() => resolveEngineSettings(options, options.baseUrl))
  const call = makeOverviewCall(settings, yield* transport)
  const configuredCredentials = options.credentials
  return AccountOverviewsRemoteService.of({
    overviewWith: call.run,
    overview: (user, callOptions) =>
      configuredCredentials === undefined
        ? Effect.failSync(noCredentials)
        : call.run(configuredCredentials, user, callOptions),
    withResponse: {
      overviewWith: call.runWithResponse,
      overview: (user, callOptions) =>
        configuredCredentials === undefined
          ? Effect.failSync(noCredentials)
          : call.runWithResponse(configuredCredentials, user, callOptions)
    }
  })
})

/** An SDK error as core's `AccountOverviews` contract says: a `DecodeError` is the server's failure there. */
const toOverviewError = (error: AccountOverviewError) => {
  const tagged = toTaggedError(error)
  return tagged._tag === "DecodeError" ? new Unavailable({ reason: "server", detail: tagged.message }) : tagged
}

/** Core's `AccountOverviews` over the remote service. */
const accountOverviews = Layer.effect(
  AccountOverviews,
  Effect.map(Effect.service(AccountOverviewsRemoteService), (remote) =>
    AccountOverviews.of({
      overview: (credentials, user) => Effect.mapError(remote.overviewWith(credentials, user), toOverviewError)
    })
  )
)

const withAccountOverviews = <E, R>(remote: Layer.Layer<AccountOverviewsRemoteService, E, R>) =>
  accountOverviews.pipe(Layer.provideMerge(remote))

const readConfig = Effect.gen(function* () {
  const baseUrl = yield* Config.URL(env.baseUrl)
  const apiUser = yield* Config.option(Config.NonEmptyString(env.apiUser))
  const apiKey = yield* Config.option(Config.Redacted(env.apiKey))
  const credentials =
    Option.isSome(apiUser) && Option.isSome(apiKey) ? { apiUser: apiUser.value, apiKey: apiKey.value } : undefined
  return { baseUrl, credentials }
})

/** The layers of an entry point's service class, over that entry's default transport. */
export interface AccountOverviewsRemoteLayers {
  /**
   * The service and core's `AccountOverviews`, over the entry's default
   * transport (undici on Node, fetch elsewhere) unless `options.transport`
   * is given; fails with `ConfigurationError` for a bad option.
   *
   * @since 0.1.0
   * @category layers
   */
  readonly layer: (
    options: RemoteOptions
  ) => Layer.Layer<AccountOverviewsRemoteService | AccountOverviews, ConfigurationError>
  /**
   * `layer` with the base URL and credentials read through `Config`
   * (`ACCOUNT_OVERVIEW_BASE_URL`, `ACCOUNT_OVERVIEW_API_USER`,
   * `ACCOUNT_OVERVIEW_API_KEY` redacted).
   *
   * @since 0.1.0
   * @category layers
   */
  readonly layerConfig: (
    options?: Omit<RemoteOptions, "baseUrl" | "credentials">
  ) => Layer.Layer<AccountOverviewsRemoteService | AccountOverviews, Config.ConfigError | ConfigurationError>
  /**
   * `layer` over the effect `HttpClient` of the context.
   *
   * @since 0.1.0
   * @category layers
   */
  readonly layerHttpClient: (
    options: Omit<RemoteOptions, "transport">
  ) => Layer.Layer<AccountOverviewsRemoteService | AccountOverviews, ConfigurationError, HttpClient.HttpClient>
}

/** An entry point's service class: the service, with the layers as static members. */
export type AccountOverviewsRemoteClass = typeof AccountOverviewsRemoteService & AccountOverviewsRemoteLayers

/** The service class of one entry point, with its layers over that entry's default transport. */
export const makeAccountOverviewsRemote = (defaultTransport: () => Transport): AccountOverviewsRemoteClass => {
  const owned = Effect.acquireRelease(Effect.sync(defaultTransport), (transport) =>
    Effect.promise(() => transport.close?.() ?? Promise.resolve())
  )
  const layer: AccountOverviewsRemoteLayers["layer"] = (options) =>
    withAccountOverviews(
      Layer.effect(
        AccountOverviewsRemoteService,
        makeService(options, options.transport === undefined ? owned : Effect.succeed(options.transport))
      )
    )
  return class AccountOverviewsRemote extends AccountOverviewsRemoteService {
    static readonly layer = layer
    static readonly layerConfig: AccountOverviewsRemoteLayers["layerConfig"] = (options = {}) =>
      Layer.unwrap(
        Effect.map(readConfig, ({ baseUrl, credentials }) =>
          layer({ ...options, baseUrl, ...(credentials === undefined ? {} : { credentials }) })
        )
      )
    static readonly layerHttpClient: AccountOverviewsRemoteLayers["layerHttpClient"] = (options) =>
      withAccountOverviews(
        Layer.effect(AccountOverviewsRemoteService, makeService(options, httpClientTransportFromContext))
      )
  }
}
