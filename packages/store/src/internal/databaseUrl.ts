import { resolve } from "node:path"
import { Config, ConfigProvider, Effect, Option, Redacted } from "effect"

/** The data folder when `DATA_DIR` is unset. */
export const defaultDataDir = "./data"

/** The SQLite database's URL in a data folder. */
export const databaseUrlIn = (dataDir: string): string =>
  `sqlite:${dataDir.endsWith("/") ? dataDir : `${dataDir}/`}account-overview.db`

/** The store when neither `DATABASE_URL` nor `DATA_DIR` is set. */
export const defaultDatabaseUrl = databaseUrlIn(defaultDataDir)

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

const nonEmpty = (name: string) =>
  Config.String(name).pipe(Config.option, Config.map(Option.filter((value) => value.trim() !== "")))

/** `DATA_DIR` (`defaultDataDir` when unset or empty), resolved to an absolute path against the working folder. */
export const dataDirConfig: Config.Config<string> = nonEmpty("DATA_DIR").pipe(
  Config.map((dir) => resolve(Option.getOrElse(dir, () => defaultDataDir)))
)

/**
 * `DATABASE_URL`, read redacted since it may hold a password; when unset
 * or empty, the SQLite file in `DATA_DIR` (`defaultDatabaseUrl` when that
 * is unset too).
 */
export const config: Config.Config<Target> = Config.all({
  url: Config.Redacted("DATABASE_URL").pipe(
    Config.option,
    Config.map(Option.filter((url) => Redacted.value(url).trim() !== ""))
  ),
  dataDir: nonEmpty("DATA_DIR")
}).pipe(
  Config.map(({ url, dataDir }) =>
    Option.getOrElse(url, () =>
      Redacted.make(Option.match(dataDir, { onNone: () => defaultDatabaseUrl, onSome: databaseUrlIn }), {
        label: "DATABASE_URL"
      })
    )
  ),
  Config.mapEffect((url) => {
    const target = parse(url)
    return target === undefined
      ? Effect.fail(new Config.ConfigError(new ConfigProvider.SourceError({ message: invalidMessage })))
      : Effect.succeed(target)
  })
)

const searchPathOption = /(?:^|\s)(?:-c\s*|--)search_path\s*=\s*((?:\\.|[^\s\\])+)/

/**
 * The schema a PostgreSQL URL puts first on the `search_path` through its
 * `options` parameter (`?options=-c%20search_path%3Dledger`), where tables
 * are created: the first entry that is not `$user`, unquoted. `undefined`
 * when the URL sets no `search_path`.
 */
export const searchPathSchema = (url: Redacted.Redacted<string> | string): string | undefined => {
  const raw = typeof url === "string" ? url : Redacted.value(url)
  let options: string | null
  try {
    options = new URL(raw).searchParams.get("options")
  } catch {
    return undefined
  }
  const match = options === null ? null : searchPathOption.exec(options)
  if (match === null) return undefined
  const entries = match[1]!
    .replace(/\\(.)/g, "$1")
    .split(",")
    .map((entry) =>
      entry
        .trim()
        .replace(/^"(.*)"$/, "$1")
        .replaceAll('""', '"')
    )
    .filter((entry) => entry !== "" && entry !== "$user")
  return entries[0]
}

/**
 * What a start-up log line says of a store: the SQLite file as an absolute
 * path, or PostgreSQL's host, port, database and schema (never the user or
 * the password).
 */
export const describe = (target: Target): Readonly<Record<string, string>> => {
  if (target._tag === "sqlite") {
    return { store: "sqlite", file: target.filename === ":memory:" ? ":memory:" : resolve(target.filename) }
  }
  try {
    const url = new URL(Redacted.value(target.url))
    const schema = searchPathSchema(target.url)
    return {
      store: "postgresql",
      host: url.hostname === "" ? "localhost" : url.hostname,
      port: url.port === "" ? "5432" : url.port,
      database: decodeURIComponent(url.pathname.slice(1)),
      ...(schema === undefined ? {} : { schema })
    }
  } catch {
    return { store: "postgresql" }
  }
}
