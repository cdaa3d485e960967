/**
 * The Promise client of the overview call, over the engine: `prepare` checks
 * each call at once (a bad call rejects before any request), `send` runs
 * through the Promise edge. Each entry point (Node, fetch) makes its
 * `createClient` here with its own default transport.
 */
import type { Credentials } from "@account-overview/core"
import { wirePath } from "@account-overview/core"
import { type Effect, Redacted } from "effect"
import type {
  AccountOverviewClient,
  ClientOptions,
  OverviewOptions,
  OverviewResult,
  OverviewsOptions
} from "../Client.js"
import {
  AbortedError,
  AccountOverviewError,
  type ClientError,
  ConfigurationError,
  InvalidRequestError
} from "../Errors.js"
import type { Transport } from "../Transport.js"
import { makeOverviewCall, type PreparedCall } from "./engine.js"
import { combineSignals, runAsPromise } from "./promise.js"
import { checkCount, type Env, env, fromEnv, processEnv, requireSetting, resolveEngineSettings } from "./settings.js"

interface Shared {
  readonly transport: Transport
  readonly owned: boolean
}

export const makeCreateClient = (defaultTransport: () => Transport) => {
  const build = (options: ClientOptions, environment: Env, inherited: Shared | undefined): AccountOverviewClient => {
    const baseUrl = requireSetting(
      fromEnv(options.baseUrl?.toString(), env.baseUrl, environment),
      "baseUrl",
      env.baseUrl
    )
    const apiUser = requireSetting(fromEnv(options.apiUser, env.apiUser, environment), "apiUser", env.apiUser)
    const apiKey = requireSetting(fromEnv(options.apiKey, env.apiKey, environment), "apiKey", env.apiKey)
    const credentials: Credentials = { apiUser, apiKey: Redacted.make(apiKey) }
    const settings = resolveEngineSettings(options, baseUrl)
    const shared: Shared =
      options.transport !== undefined
        ? { transport: options.transport, owned: false }
        : (inherited ?? { transport: defaultTransport(), owned: true })
    const call = makeOverviewCall(settings, shared.transport)
    const clientSignal = options.signal

    const sending =
      <A>(send: (prepared: PreparedCall) => Effect.Effect<A, ClientError>) =>
      (user: string, callOptions?: OverviewOptions): Promise<A> => {
        let prepared: ReturnType<typeof call.prepare>
        try {
          prepared = call.prepare(credentials, user, callOptions)
        } catch (error) {
          return Promise.reject(error)
        }
        if (prepared instanceof InvalidRequestError) return Promise.reject(prepared)
        const { context } = prepared
        const signal = combineSignals(clientSignal, callOptions?.signal)
        return runAsPromise(send(prepared), signal, () => new AbortedError(context))
      }
    const overview = sending(call.send)

    async function* overviews(
      users: Iterable<string> | AsyncIterable<string>,
      batchOptions?: OverviewsOptions
    ): AsyncGenerator<OverviewResult> {
      const concurrency = checkCount(batchOptions?.concurrency ?? 8, "concurrency", 1, 10_000)
      const stop = new AbortController()
      const signal = combineSignals(stop.signal, batchOptions?.signal)
      const abortedError = () =>
        new AbortedError({ method: settings.method, path: wirePath(settings.format, settings.dialect) })
      const iterator =
        Symbol.asyncIterator in users
          ? (users as AsyncIterable<string>)[Symbol.asyncIterator]()
          : (users as Iterable<string>)[Symbol.iterator]()
      const window: Array<Promise<OverviewResult>> = []
      let exhausted = false
      const start = (user: string): Promise<OverviewResult> =>
        overview(user, signal === undefined ? undefined : { signal }).then(
          (value): OverviewResult => ({ user, ok: true, overview: value }),
          (error: unknown): OverviewResult => ({
            user,
            ok: false,
            error:
              error instanceof AccountOverviewError ? error : new InvalidRequestError({ messages: [String(error)] })
          })
        )
      const fill = async () => {
        while (!exhausted && window.length < concurrency) {
          if (batchOptions?.signal?.aborted) throw abortedError()
          const next = await iterator.next()
          if (next.done === true) exhausted = true
          else window.push(start(next.value))
        }
      }
      try {
        await fill()
        while (window.length > 0) {
          const result = await window.shift()!
          if (batchOptions?.signal?.aborted) throw abortedError()
          yield result
          await fill()
        }
      } finally {
        stop.abort()
        if (!exhausted) await iterator.return?.()
      }
    }

    const client: AccountOverviewClient = {
      overview,
      overviews,
      withResponse: { overview: sending(call.sendWithResponse) },
      withOptions: (partial) => {
        if (partial === null || typeof partial !== "object")
          throw new ConfigurationError("options", "must be an object")
        return build({ ...options, ...partial }, environment, partial.transport === undefined ? shared : undefined)
      },
      close: async () => {
        if (shared.owned && inherited === undefined) await shared.transport.close?.()
      }
    }
    return client
  }

  return (options: ClientOptions = {}): AccountOverviewClient => {
    if (options === null || typeof options !== "object") throw new ConfigurationError("options", "must be an object")
    return build(options, options.env ?? processEnv(), undefined)
  }
}
