import { Config, ConfigProvider, Effect, Redacted } from "effect"
import { defaultDatabaseUrl } from "../LedgerSql.js"

/** A store named by a database URL. */
export type Target =
  | { readonly _tag: "sqlite"; readonly filename: string }
  | { readonly _tag: "pg"; readonly url: Redacted.Redacted<string> }

/**
 * Reads a database URL: `sqlite:<path>` (also `sqlite://<path>` and
 * `sqlite::memory:`), `postgres://…` or `postgresql://…`; anything else is
 * `undefined`.
 */
export const parse = (url: Redacted.Redacted<string> | string): Target | undefined => {
  const raw = (typeof url === "string" ? url : Redacted.value(url)).trim()
  if (raw.startsWith("sqlite:")) {
    const rest = raw.slice("sqlite:".length)
    const filename = rest.startsWith("//") ? rest.slice(2) : rest
    return filename === "" ? undefined : { _tag: "sqlite", filename }
  }
  if (/^postgres(ql)?:\/\//i.test(raw)) {
    return { _tag: "pg", url: typeof url === "string" ? Redacted.make(url, { label: "DATABASE_URL" }) : url }
  }
  return undefined
}

/** The message of a `DATABASE_URL` that names no store. It never repeats the value. */
export const invalidMessage =
  "DATABASE_URL must be sqlite:<path>, postgres://… or postgresql://… (the value is not shown: it may hold a password)"

/** `DATABASE_URL`, read redacted since it may hold a password; `defaultDatabaseUrl` when unset. */
export const config: Config.Config<Target> = Config.Redacted("DATABASE_URL").pipe(
  Config.withDefault(Redacted.make(defaultDatabaseUrl, { label: "DATABASE_URL" })),
  Config.mapEffect((url) => {
    const target = parse(url)
    return target === undefined
      ? Effect.fail(new Config.ConfigError(new ConfigProvider.SourceError({ message: invalidMessage })))
      : Effect.succeed(target)
  })
)
