import { Cause, Effect } from "effect"

const messageOf = (value: unknown): string | undefined => {
  if (value instanceof Error) return value.message
  if (typeof value === "object" && value !== null && "message" in value && typeof value.message === "string")
    return value.message
  return typeof value === "string" ? value : undefined
}

/**
 * The message of the innermost error of a chain of `cause`s (a `SqlError`
 * wraps the driver's error, which says what went wrong: `connect
 * ECONNREFUSED 127.0.0.1:5432`, `no schema has been selected to create in`),
 * on one line, with every `secrets` string replaced by `<redacted>`.
 */
export const rootMessage = (error: unknown, secrets: ReadonlyArray<string> = []): string => {
  let message = messageOf(error)
  let current: unknown = error
  for (let depth = 0; depth < 10 && typeof current === "object" && current !== null && "cause" in current; depth++) {
    current = current.cause
    const inner = messageOf(current)
    if (inner !== undefined && inner !== "") message = inner
  }
  let text = (message ?? String(error)).replace(/\s*\n\s*/g, " ").trim()
  for (const secret of secrets) if (secret !== "") text = text.replaceAll(secret, "<redacted>")
  return text === "" ? "unknown error" : text
}

/**
 * Logs a failure of the store in one line at warning level (`detail`, and
 * the innermost error's message as `error`), and the whole cause at debug
 * level.
 */
export const logFailure = (detail: string, error: unknown, secrets: ReadonlyArray<string> = []) =>
  Effect.andThen(
    Effect.logWarning(detail).pipe(Effect.annotateLogs({ error: rootMessage(error, secrets) })),
    Effect.logDebug(detail, Cause.fail(error))
  )
