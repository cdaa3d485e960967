import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { AdminInput, ConnectionInput } from "./Cli.js"
import { type CliFailure, usageError } from "./CliFailure.js"
import { printWarning, registerSecret } from "./Io.js"
import { configPath, type Profile, type Profiles, readConfig, selectProfiles } from "./Profiles.js"
import { readSecretLine } from "./Stdin.js"

/**
 * The connection settings, from flags first, then the profile named by
 * `--profile` (or `ACCOUNT_OVERVIEW_PROFILE`), then the environment
 * (`ACCOUNT_OVERVIEW_BASE_URL`, `ACCOUNT_OVERVIEW_API_USER`,
 * `ACCOUNT_OVERVIEW_API_KEY`, `ACCOUNT_OVERVIEW_ADMIN_TOKEN`), then the
 * config file's `default` profile when none is named. The one place that
 * reads them.
 */

const nonEmpty = (name: string) =>
  Config.option(Config.String(name)).pipe(Config.map(Option.filter((value) => value.trim() !== "")))

const environment = Config.all({
  baseUrl: nonEmpty("ACCOUNT_OVERVIEW_BASE_URL"),
  apiUser: nonEmpty("ACCOUNT_OVERVIEW_API_USER"),
  apiKey: nonEmpty("ACCOUNT_OVERVIEW_API_KEY").pipe(Config.map(Option.map((key) => Redacted.make(key)))),
  adminToken: nonEmpty("ACCOUNT_OVERVIEW_ADMIN_TOKEN").pipe(Config.map(Option.map((key) => Redacted.make(key)))),
  profile: nonEmpty("ACCOUNT_OVERVIEW_PROFILE"),
  xdgConfigHome: nonEmpty("XDG_CONFIG_HOME"),
  home: nonEmpty("HOME")
})

const readEnvironment = Effect.orDie(environment)

/**
 * The secrets known before parsing: the environment's key and token, and the
 * value of an `--api-key` flag, so that no diagnostic ever shows them.
 */
export const secretsFromEnvironment = (argv: ReadonlyArray<string>): Array<string> => {
  const found: Array<string> = []
  for (const name of ["ACCOUNT_OVERVIEW_API_KEY", "ACCOUNT_OVERVIEW_ADMIN_TOKEN"]) {
    const value = process.env[name]
    if (value !== undefined && value.trim() !== "") found.push(value, value.trim())
  }
  argv.forEach((arg, i) => {
    if (arg === "--api-key") {
      const next = argv[i + 1]
      if (next !== undefined) found.push(next)
    } else if (arg.startsWith("--api-key=")) found.push(arg.slice("--api-key=".length))
  })
  return found
}

/**
 * `url` as it may be printed: whatever stands between the scheme's `//` (or
 * the start) and the last `@` is a user name and password, also when the
 * URL does not parse (a password holding `/`, `?` or `#`), and is replaced;
 * it is registered as a secret too, so no other output shows it.
 */
export const printableUrl = (url: string): string => {
  const at = url.lastIndexOf("@")
  if (at === -1) return url
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(url)
  const start = scheme === null ? 0 : scheme[0].length
  if (at < start) return url
  const userInfo = url.slice(start, at)
  registerSecret(userInfo)
  const colon = userInfo.indexOf(":")
  if (colon !== -1) registerSecret(userInfo.slice(colon + 1))
  return `${url.slice(0, start)}<redacted>${url.slice(at)}`
}

const checkUrl = (url: string): Effect.Effect<string, CliFailure> => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return Effect.fail(usageError(`the service URL "${printableUrl(url)}" is not a URL, such as http://127.0.0.1:8080`))
  }
  if (parsed.username !== "" || parsed.password !== "") {
    registerSecret(parsed.password)
    return Effect.fail(usageError("the service URL must not carry a user name or password"))
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    return Effect.fail(usageError(`the service URL "${printableUrl(url)}" must start with http:// or https://`))
  return Effect.succeed(url.replace(/\/+$/, ""))
}

const baseUrlOf = (flag: Option.Option<string>, env: Option.Option<string>): Effect.Effect<string, CliFailure> =>
  Option.match(
    Option.orElse(flag, () => env),
    {
      onNone: () => Effect.fail(usageError("no service URL: give --base-url or set ACCOUNT_OVERVIEW_BASE_URL")),
      onSome: checkUrl
    }
  )

type Environment = Config.Success<typeof environment>

/**
 * The environment with the profiles laid over and under it: a named
 * profile's settings replace the environment's, the default profile's fill
 * what the environment leaves unset.
 */
const withProfiles = (env: Environment, profiles: Profiles) => {
  const pick = <A>(get: (p: Profile) => A | undefined, fromEnv: Option.Option<A>): Option.Option<A> => {
    const named = profiles.named === undefined ? undefined : get(profiles.named)
    if (named !== undefined) return Option.some(named)
    if (Option.isSome(fromEnv)) return fromEnv
    return Option.fromUndefinedOr(profiles.fallback === undefined ? undefined : get(profiles.fallback))
  }
  return {
    baseUrl: pick((p) => p.baseUrl, env.baseUrl),
    apiUser: pick((p) => p.apiUser, env.apiUser),
    apiKey: pick((p) => p.apiKey, env.apiKey),
    adminToken: pick((p) => p.adminToken, env.adminToken),
    timeoutMs: pick((p) => p.timeoutMs, Option.none())
  }
}

/** The environment and the config file's profiles, for a `--profile` flag given or not. */
const settingsFor = Effect.fnUntraced(function* (profileFlag: Option.Option<string> | undefined) {
  const env = yield* readEnvironment
  const name = Option.getOrUndefined(Option.orElse(profileFlag ?? Option.none(), () => env.profile))
  const path = configPath(Option.getOrUndefined(env.xdgConfigHome), Option.getOrUndefined(env.home))
  const file = path === undefined ? undefined : yield* readConfig(path)
  const profiles = yield* selectProfiles(file, name, path)
  return withProfiles(env, profiles)
})

/** Settings of the reseller API calls. */
export interface Connection {
  readonly baseUrl: string
  readonly apiUser: string
  readonly apiKey: Redacted.Redacted<string>
  readonly format: "json" | "xml"
  readonly dialect: "v1" | "v2"
  readonly timeoutMs: number | undefined
}

/**
 * Resolves the reseller connection. `stdinTaken` names another use of stdin
 * on the same command line (`--users-file -`), which `--api-key-stdin`
 * cannot share.
 */
export const resolveConnection = Effect.fn("resolveConnection")(function* (
  input: ConnectionInput,
  stdinTaken: string | undefined
) {
  const env = yield* settingsFor(input.profile)
  const baseUrl = yield* baseUrlOf(input.baseUrl, env.baseUrl)
  const apiUser = Option.orElse(input.apiUser, () => env.apiUser)
  if (Option.isNone(apiUser)) return yield* usageError("no api user: give --api-user or set ACCOUNT_OVERVIEW_API_USER")
  let apiKey: Redacted.Redacted<string>
  if (input.apiKeyStdin) {
    if (Option.isSome(input.apiKey))
      return yield* usageError("give the api key with --api-key or --api-key-stdin, not both")
    if (stdinTaken !== undefined)
      return yield* usageError(
        `--api-key-stdin and ${stdinTaken} both read stdin; set ACCOUNT_OVERVIEW_API_KEY instead`
      )
    apiKey = Redacted.make(yield* readSecretLine("api key"))
  } else if (Option.isSome(input.apiKey)) {
    printWarning(
      "--api-key is visible to other users of this machine in the process list; prefer --api-key-stdin or ACCOUNT_OVERVIEW_API_KEY"
    )
    apiKey = Redacted.make(input.apiKey.value)
  } else if (Option.isSome(env.apiKey)) {
    apiKey = env.apiKey.value
  } else {
    return yield* usageError("no api key: give --api-key-stdin or set ACCOUNT_OVERVIEW_API_KEY")
  }
  registerSecret(Redacted.value(apiKey))
  return {
    baseUrl,
    apiUser: apiUser.value,
    apiKey,
    format: input.format,
    dialect: input.dialect,
    timeoutMs: Option.getOrUndefined(Option.orElse(input.timeoutMs, () => env.timeoutMs))
  }
})

/** Settings of the operator API calls. */
export interface AdminConnection {
  readonly baseUrl: string
  readonly adminToken: Redacted.Redacted<string>
  readonly timeoutMs: number | undefined
}

/**
 * Resolves the operator connection; `stdinTaken` as for `resolveConnection`.
 */
export const resolveAdmin = Effect.fn("resolveAdmin")(function* (input: AdminInput, stdinTaken: string | undefined) {
  const env = yield* settingsFor(input.profile)
  const baseUrl = yield* baseUrlOf(input.baseUrl, env.baseUrl)
  let adminToken: Redacted.Redacted<string>
  if (input.adminTokenStdin) {
    if (stdinTaken !== undefined)
      return yield* usageError(
        `--admin-token-stdin and ${stdinTaken} both read stdin; set ACCOUNT_OVERVIEW_ADMIN_TOKEN instead`
      )
    adminToken = Redacted.make(yield* readSecretLine("operator token"))
  } else if (Option.isSome(env.adminToken)) {
    adminToken = env.adminToken.value
  } else {
    return yield* usageError("no operator token: set ACCOUNT_OVERVIEW_ADMIN_TOKEN or give --admin-token-stdin")
  }
  registerSecret(Redacted.value(adminToken))
  return {
    baseUrl,
    adminToken,
    timeoutMs: Option.getOrUndefined(Option.orElse(input.timeoutMs, () => env.timeoutMs))
  }
})

/** Whether `ACCOUNT_OVERVIEW_DEBUG=1` asks for stack traces of unexpected failures. */
export const debug = (): boolean => process.env.ACCOUNT_OVERVIEW_DEBUG === "1"
