/**
 * Logging: one JSON object per line, with the request id when there is one.
 * The Effect logger and the lean wire listener write through the same sink,
 * so tests capture every line the service writes.
 *
 * @since 0.1.0
 */
import { Cause, Context, Effect, Layer, Logger, LogLevel, References } from "effect"
import { Settings } from "./Settings.js"

/**
 * Where log lines go: standard output unless replaced (tests capture it).
 *
 * @since 0.1.0
 * @category services
 */
export const LogSink = Context.Reference<(line: string) => void>("@account-overview/http/LogSink", {
  defaultValue: () => (line) => {
    process.stdout.write(`${line}\n`)
  }
})

/**
 * A log record's fields beside time, level and message.
 *
 * @since 0.1.0
 * @category models
 */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>

/**
 * Renders one log line: `{"time":…,"level":…,"message":…,…fields}`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatLine = (level: string, message: string, fields: LogFields, time: Date = new Date()): string => {
  const record: Record<string, unknown> = { time: time.toISOString(), level, message }
  for (const key in fields) {
    const value = fields[key]
    if (value !== undefined && !(key in record)) record[key] = value
  }
  return JSON.stringify(record)
}

const messageText = (message: unknown): string => {
  const parts = Array.isArray(message) ? message : [message]
  return parts.map((part) => (typeof part === "string" ? part : safeJson(part))).join(" ")
}

const safeJson = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

/**
 * The JSON line logger: writes to `sink`, with the fiber's log annotations
 * as fields and a failure's cause (pretty-printed, redacted values stay
 * redacted) under `cause`.
 *
 * @since 0.1.0
 * @category loggers
 */
export const jsonLogger = (sink: (line: string) => void): Logger.Logger<unknown, void> =>
  Logger.make(({ cause, date, fiber, logLevel, message }) => {
    const fields: Record<string, string | number | boolean | undefined> = {}
    const annotations = fiber.getRef(References.CurrentLogAnnotations)
    for (const key in annotations) {
      const value = annotations[key]
      fields[key] =
        typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : safeJson(value)
    }
    if (cause.reasons.length > 0) fields.cause = Cause.pretty(cause)
    sink(formatLine(logLevel.toLowerCase(), messageText(message), fields, date))
  })

/**
 * Installs the JSON logger on the current `LogSink` and the minimum level
 * from the settings.
 *
 * @since 0.2.0
 * @category layers
 */
export const LogLayer: Layer.Layer<never, never, Settings> = Layer.unwrap(
  Effect.gen(function* () {
    const settings = yield* Settings
    const sink = yield* LogSink
    return Layer.mergeAll(
      Logger.layer([jsonLogger(sink)]),
      Layer.succeed(References.MinimumLogLevel, settings.logLevel)
    )
  })
)

/**
 * The JSON logger on the current `LogSink` at the default minimum level
 * (info), before the settings are read: what a command logs from its first
 * line on, a failure to read the settings included.
 *
 * @since 0.2.0
 * @category layers
 */
export const StartupLogLayer: Layer.Layer<never> = Layer.unwrap(
  Effect.gen(function* () {
    return Logger.layer([jsonLogger(yield* LogSink)])
  })
)

/**
 * Whether `level` passes the minimum level `minimum`.
 *
 * @since 0.1.0
 * @category predicates
 */
export const enabled = (minimum: LogLevel.LogLevel, level: LogLevel.Severity): boolean =>
  LogLevel.isGreaterThanOrEqualTo(level, minimum)
