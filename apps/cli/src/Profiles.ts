import { readFileSync, statSync } from "node:fs"
import { join } from "node:path"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { type CliFailure, usageError } from "./CliFailure.js"
import { registerSecret } from "./Io.js"

/**
 * Named profiles of connection settings in a JSON file at
 * `$XDG_CONFIG_HOME/account-overview/config.json` (`~/.config/...` when
 * `XDG_CONFIG_HOME` is unset):
 *
 * ```json
 * { "profiles": { "default": { "baseUrl": "http://127.0.0.1:8080", "apiUser": "acme" },
 *                 "prod": { "baseUrl": "https://ao.example", "adminToken": "..." } } }
 * ```
 *
 * A file that holds a key or a token must be readable by its owner alone
 * (mode 600): one that others may read is refused, as ssh refuses such a
 * key. No message ever repeats a value from the file.
 */

/** The settings a profile may give. */
export interface Profile {
  readonly baseUrl?: string | undefined
  readonly apiUser?: string | undefined
  readonly apiKey?: Redacted.Redacted<string> | undefined
  readonly adminToken?: Redacted.Redacted<string> | undefined
  readonly timeoutMs?: number | undefined
}

/** A read config file. */
export interface ConfigFile {
  readonly path: string
  readonly profiles: Readonly<Record<string, Profile>>
}

/** The name of the profile used when none is named. */
export const defaultProfile = "default"

const textSettings = ["baseUrl", "apiUser"] as const
const secretSettings = ["apiKey", "adminToken"] as const
const known = new Set<string>([...textSettings, ...secretSettings, "timeoutMs"])

/** Where the config file is: under `XDG_CONFIG_HOME`, else `~/.config`; none without either. */
export const configPath = (xdgConfigHome: string | undefined, home: string | undefined): string | undefined => {
  const base = xdgConfigHome !== undefined && xdgConfigHome.trim() !== "" ? xdgConfigHome : undefined
  if (base !== undefined) return join(base, "account-overview", "config.json")
  if (home === undefined || home.trim() === "") return undefined
  return join(home, ".config", "account-overview", "config.json")
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Checks the file's content; the message names the setting, never a value. */
export const parseConfig = (path: string, text: string): ConfigFile | string => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return `${path} is not valid JSON`
  }
  if (!isRecord(json)) return `${path} must hold a JSON object`
  for (const key of Object.keys(json)) {
    if (key !== "profiles") return `${path}: unknown key "${key}" (the file holds "profiles")`
  }
  const profiles = json.profiles ?? {}
  if (!isRecord(profiles)) return `${path}: "profiles" must be an object of named profiles`
  const result: Record<string, Profile> = {}
  for (const [name, raw] of Object.entries(profiles)) {
    if (!isRecord(raw)) return `${path}: profile "${name}" must be an object`
    const profile: { -readonly [K in keyof Profile]: Profile[K] } = {}
    for (const [key, value] of Object.entries(raw)) {
      const where = `${path}: "${key}" of profile "${name}"`
      if (!known.has(key)) return `${path}: unknown setting "${key}" in profile "${name}"`
      if (key === "timeoutMs") {
        if (typeof value !== "number" || !Number.isInteger(value) || value < 1)
          return `${where} must be a positive whole number of milliseconds`
        profile.timeoutMs = value
      } else if (typeof value !== "string" || value.trim() === "") {
        return `${where} must be a non-empty string`
      } else if (key === "apiKey" || key === "adminToken") {
        registerSecret(value)
        profile[key] = Redacted.make(value)
      } else {
        profile[key as (typeof textSettings)[number]] = value
      }
    }
    result[name] = profile
  }
  return { path, profiles: result }
}

const holdsSecret = (file: ConfigFile): boolean =>
  Object.values(file.profiles).some((p) => p.apiKey !== undefined || p.adminToken !== undefined)

/**
 * Reads the config file at `path`: `undefined` when there is none. Fails
 * (exit 2) when it does not parse, or holds a key or token and is readable
 * by others.
 */
export const readConfig = (path: string): Effect.Effect<ConfigFile | undefined, CliFailure> =>
  Effect.suspend(() => {
    let text: string
    let mode: number
    try {
      mode = statSync(path).mode
      text = readFileSync(path, "utf8")
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return Effect.succeed(undefined)
      return Effect.fail(usageError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`))
    }
    const parsed = parseConfig(path, text)
    if (typeof parsed === "string") return Effect.fail(usageError(parsed))
    if (process.platform !== "win32" && (mode & 0o077) !== 0 && holdsSecret(parsed)) {
      return Effect.fail(
        usageError(
          `${path} holds a key or token and others may read it (mode ${(mode & 0o777).toString(8).padStart(3, "0")}): run chmod 600 ${path}`
        )
      )
    }
    return Effect.succeed(parsed)
  })

/** The profiles in force: the one named (which must exist), and the default one beneath the environment. */
export interface Profiles {
  /** The profile named by `--profile` or `ACCOUNT_OVERVIEW_PROFILE`: over the environment. */
  readonly named: Profile | undefined
  /** The `default` profile when none is named: under the environment. */
  readonly fallback: Profile | undefined
}

/** The profiles for a name given (or not), from the file (or none). */
export const selectProfiles = (
  file: ConfigFile | undefined,
  name: string | undefined,
  path: string | undefined
): Effect.Effect<Profiles, CliFailure> => {
  if (name === undefined) return Effect.succeed({ named: undefined, fallback: file?.profiles[defaultProfile] })
  if (file === undefined) {
    return Effect.fail(
      usageError(
        path === undefined
          ? `profile "${name}" asked for, but there is no config file (set XDG_CONFIG_HOME or HOME)`
          : `profile "${name}" asked for, but there is no config file at ${path}`
      )
    )
  }
  const profile = file.profiles[name]
  if (profile === undefined) {
    const names = Object.keys(file.profiles)
    return Effect.fail(
      usageError(
        `no profile "${name}" in ${file.path}${names.length === 0 ? "" : `; its profiles: ${names.join(", ")}`}`
      )
    )
  }
  return Effect.succeed({ named: profile, fallback: undefined })
}
