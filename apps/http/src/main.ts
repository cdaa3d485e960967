/**
 * The service's entry point: the app over the store named by
 * `DATABASE_URL`, launched until SIGTERM or SIGINT, which drain it and exit
 * 0; and the way every command of the server runs: JSON log lines from the
 * first one, a failure reported in one line.
 *
 * @since 0.1.0
 */
import { Ledger } from "@account-overview/store"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, type Config, Effect, Exit, Layer } from "effect"
import { AppLayer } from "./App.js"
import { LogLayer, LogSink, StartupLogLayer } from "./Log.js"
import { Settings } from "./Settings.js"
import { overLedger } from "./Store.js"
import { serviceVersion } from "./Version.js"

/**
 * Exit codes: 0 after a signal (a drained shutdown) or a normal end, 1 on
 * a failure (it was logged).
 *
 * @since 0.1.0
 * @category running
 */
export const teardown = <E, A>(exit: Exit.Exit<A, E>, onExit: (code: number) => void): void =>
  onExit(Exit.isSuccess(exit) || Cause.hasInterruptsOnly(exit.cause) ? 0 : 1)

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, " ").trim()

const messageOf = (value: unknown): string | undefined =>
  typeof value === "object" && value !== null && "message" in value && typeof value.message === "string"
    ? value.message
    : undefined

// The innermost message of a chain of causes: what the system said (`listen EADDRINUSE …`).
const innermost = (value: unknown): string => {
  let message = messageOf(value) ?? String(value)
  for (let depth = 0; depth < 10 && typeof value === "object" && value !== null && "cause" in value; depth++) {
    value = value.cause
    const inner = messageOf(value)
    if (inner !== undefined && inner !== "") message = inner
  }
  return message
}

/**
 * What went wrong, in one sentence without a stack trace: the settings
 * that do not decode (`ConfigError`), the address that cannot be listened
 * on (`ServeError`), the store that does not open (`Unavailable`, whose
 * detail says why), or any other error's message.
 *
 * @since 0.2.0
 * @category running
 */
export const failureMessage = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.squash(cause)
  const tag = typeof error === "object" && error !== null && "_tag" in error ? error._tag : undefined
  if (tag === "ConfigError") {
    const inner = messageOf((error as { readonly cause?: unknown }).cause) ?? messageOf(error) ?? String(error)
    return oneLine(`a setting is invalid: ${inner}`)
  }
  if (tag === "ServeError") return oneLine(`cannot listen: ${innermost(error)}`)
  return oneLine(messageOf(error) ?? String(error)) || "unknown error"
}

/**
 * Runs `program` as the process's main fiber with the JSON logger from the
 * first line on: a failure is logged as one error line, `${what}:
 * ${failureMessage}`; exit codes as `teardown` says (SIGINT and SIGTERM
 * interrupt it). Lines go to `sink` when given, else to the current
 * `LogSink`. `LOG_LEVEL` applies once the settings are read (the program
 * provides `LogLayer`); a failure before that is logged all the same.
 *
 * @since 0.2.0
 * @category running
 */
export const runLogged = <A, E>(what: string, program: Effect.Effect<A, E>, sink?: (line: string) => void): void => {
  const logged = program.pipe(
    Effect.tapCause((cause) =>
      Cause.hasInterruptsOnly(cause) ? Effect.void : Effect.logError(`${what}: ${failureMessage(cause)}`)
    ),
    Effect.provide(StartupLogLayer)
  )
  NodeRuntime.runMain(sink === undefined ? logged : Effect.provideService(logged, LogSink, sink), {
    disableErrorReporting: true,
    teardown
  })
}

/**
 * Runs `program` with the settings from the environment and their
 * `LOG_LEVEL`, after one log line that says what starts: the service's
 * version, the command and the data folder (`DATA_DIR`, absolute).
 *
 * @since 0.2.0
 * @category running
 */
export const withSettings = <A, E, R>(
  command: string,
  program: Effect.Effect<A, E, R>
): Effect.Effect<A, E | Config.ConfigError, Exclude<R, Settings>> =>
  Effect.gen(function* () {
    const settings = yield* Settings
    yield* Effect.logInfo("starting").pipe(
      Effect.annotateLogs({ version: serviceVersion, command, dataDir: settings.dataDir })
    )
    return yield* program
  }).pipe(Effect.provide(LogLayer), Effect.provide(Settings.layer))

/**
 * The whole service, settings and store from the environment.
 *
 * @since 0.1.0
 * @category layers
 */
export const MainLayer = AppLayer.pipe(Layer.provide(overLedger(Ledger.layerConfig)), Layer.provide(Settings.layer))

/**
 * Runs the service until a signal.
 *
 * @since 0.1.0
 * @category running
 */
export const main = (): void => runLogged("cannot start", withSettings("serve", Layer.launch(MainLayer)))
