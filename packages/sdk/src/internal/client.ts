/**
 * The Promise client over the engine. Each entry point (Node, fetch) makes
 * its `createClient` here with its own default transport.
 */
import type { Credentials, Overview } from "@account-overview/core"
import { Cause, Effect, Exit, Option, Redacted } from "effect"
import type {
  AccountOverviewClient,
  ClientOptions,
  OverviewOptions,
  OverviewResult,
  OverviewsOptions
} from "../Client.js"
import { AbortedError, AccountOverviewError, ConfigurationError, InvalidRequestError } from "../Errors.js"
import type { Transport } from "../Transport.js"
import { type CallOverrides, makeOverviewCall, wirePath } from "./engine.js"
import {
  checkCount,
  checkDialect,
  checkFormat,
  checkPositive,
  type Env,
  env,
  fromEnv,
  processEnv,
  requireSetting,
  resolveEngineSettings
} from "./settings.js"

const combineSignals = (a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined =>
  a === undefined ? b : b === undefined ? a : AbortSignal.any([a, b])

/** Runs an engine effect as a Promise: its failure rejects as is, an interruption (abort) as `AbortedError`. */
export const runAsPromise = <A>(
  effect: Effect.Effect<A, AccountOverviewError>,
  signal: AbortSignal | undefined,
  onAbort: () => AccountOverviewError
): Promise<A> => {
  if (signal?.aborted) return Promise.reject(onAbort())
  return Effect.runPromiseExit(effect, signal === undefined ? undefined : { signal }).then((exit) => {
    if (Exit.isSuccess(exit)) return exit.value
    const error = Cause.findErrorOption(exit.cause)
    if (Option.isSome(error)) throw error.value
    if (Cause.hasInterrupts(exit.cause)) throw onAbort()
    throw Cause.squash(exit.cause)
  })
}

interface Shared {
  readonly transport: Transport
  readonly owned: boolean
}

const checkUser = (user: unknown): string | undefined =>
  typeof user === "string" && user.length > 0 ? undefined : "user must be a non-empty string"

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
    const probe = resolveEngineSettings(options, baseUrl, () => Promise.reject(new Error("unused")))
    const shared: Shared =
      options.transport !== undefined
        ? { transport: options.transport, owned: false }
        : (inherited ?? { transport: defaultTransport(), owned: true })
    const settings = { ...probe, transport: shared.transport }
    const call = makeOverviewCall(settings)
    const clientSignal = options.signal

    const prepare = (user: string, callOptions: OverviewOptions | undefined) => {
      const format = callOptions?.format === undefined ? settings.format : checkFormat(callOptions.format)
      const dialect = callOptions?.dialect === undefined ? settings.dialect : checkDialect(callOptions.dialect)
      const context = { method: settings.method, path: wirePath(format, dialect), user }
      const problem = checkUser(user)
      if (problem !== undefined) throw new InvalidRequestError({ ...context, messages: [problem] })
      const overrides: CallOverrides | undefined =
        callOptions === undefined
          ? undefined
          : {
              format,
              dialect,
              ...(callOptions.timeoutMs === undefined
                ? {}
                : { timeoutMs: checkPositive(callOptions.timeoutMs, "timeoutMs") })
            }
      return { context, overrides }
    }

    const overview = (user: string, callOptions?: OverviewOptions): Promise<Overview> => {
      let prepared: ReturnType<typeof prepare>
      try {
        prepared = prepare(user, callOptions)
      } catch (error) {
        return Promise.reject(error)
      }
      const { context, overrides } = prepared
      const signal = combineSignals(clientSignal, callOptions?.signal)
      return runAsPromise(call(credentials, user, overrides), signal, () => new AbortedError(context))
    }

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
