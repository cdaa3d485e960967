/**
 * The request parameters of an overview call (`api_user`, `api_key`,
 * `task=overview`, `user`), read from a query string or a form body, and
 * written by a client.
 *
 * Rules of the reader:
 * - names are case-sensitive, as in the vendor's documentation; unknown
 *   parameters are ignored;
 * - `+` is a space and `%XX` escapes are UTF-8; a malformed escape is an
 *   `InvalidRequest` naming the parameter (never echoing a value);
 * - values are trimmed of spaces, tabs, CR and LF; an empty value counts as
 *   missing;
 * - a known parameter given twice (even once empty) is refused:
 *   `parameter api_user is repeated`;
 * - every missing parameter is reported at once, one message each:
 *   `missing parameter: user`;
 * - `task` must be exactly `overview`.
 *
 * @since 0.1.0
 */
import { Redacted, Result } from "effect"
import { InvalidRequest } from "./Errors.js"
import { toWellFormed, trimWhitespace } from "./internal/text.js"
import type { Credentials, OverviewRequest } from "./OverviewRequest.js"

/**
 * The `api_user` a request gets when its key came from the fallback (an
 * `Authorization: Bearer` header) and it named no user: the vendor's later
 * documentation lets `api_user` be the literal `apikey` when `api_key` holds
 * an API key.
 *
 * @since 0.1.0
 * @category wire
 */
export const apiKeyUser = "apikey"

/**
 * Credentials from outside the parameters (e.g. an `Authorization` header),
 * used for `api_user` / `api_key` when the parameters do not give them.
 *
 * @since 0.1.0
 * @category models
 */
export interface ParamsFallback {
  readonly apiUser?: string | undefined
  readonly apiKey?: string | undefined
}

const API_USER = 0
const API_KEY = 1
const TASK = 2
const USER = 3
const names = ["api_user", "api_key", "task", "user"] as const

const indexOf = (name: string): number => {
  switch (name) {
    case "api_user":
      return API_USER
    case "api_key":
      return API_KEY
    case "task":
      return TASK
    case "user":
      return USER
    default:
      return -1
  }
}

const formDecode = (s: string): string | undefined => {
  if (s.indexOf("+") !== -1) s = s.replace(/\+/g, " ")
  if (s.indexOf("%") === -1) return s
  try {
    return decodeURIComponent(s)
  } catch {
    return undefined
  }
}

interface Collected {
  readonly values: Array<string | undefined>
  readonly counts: Array<number>
  readonly malformed: Array<boolean>
  readonly messages: Array<string>
}

const collect = (state: Collected, name: string, value: string): void => {
  const index = indexOf(name)
  if (index < 0) return
  state.counts[index]!++
  state.values[index] = value
}

const collectQuery = (state: Collected, input: string): void => {
  let start = input.charCodeAt(0) === 0x3f ? 1 : 0
  const n = input.length
  while (start <= n) {
    let end = input.indexOf("&", start)
    if (end === -1) end = n
    if (end > start) {
      const eq = input.indexOf("=", start)
      const hasValue = eq !== -1 && eq < end
      const rawName = input.slice(start, hasValue ? eq : end)
      const name = formDecode(rawName)
      if (name === undefined) {
        state.messages.push("a parameter name is not valid percent-encoding")
      } else if (indexOf(name) >= 0) {
        const value = hasValue ? formDecode(input.slice(eq + 1, end)) : ""
        collect(state, name, value ?? "")
        if (value === undefined) {
          state.messages.push(`parameter ${name} is not valid percent-encoding`)
          state.malformed[indexOf(name)] = true
        }
      }
    }
    start = end + 1
  }
}

/**
 * Reads an overview request from a query string or form body (`a=b&c=d`, a
 * leading `?` allowed), a `URLSearchParams`, or name/value pairs. `fallback`
 * gives `api_user` / `api_key` when the parameters lack them (or leave them
 * empty); a key from the fallback with no user anywhere gets the user
 * `apiKeyUser` (`apikey`). Every problem is reported at once in one
 * `InvalidRequest`. Never throws.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeRequestParams = (
  input: string | URLSearchParams | Iterable<readonly [string, string]>,
  fallback?: ParamsFallback
): Result.Result<OverviewRequest, InvalidRequest> => {
  const state: Collected = {
    values: [undefined, undefined, undefined, undefined],
    counts: [0, 0, 0, 0],
    malformed: [false, false, false, false],
    messages: []
  }
  if (typeof input === "string") collectQuery(state, input)
  else for (const [name, value] of input) collect(state, name, value)

  const messages = state.messages
  const reported = state.malformed
  for (let i = 0; i < 4; i++) {
    if (state.counts[i]! > 1) {
      messages.push(`parameter ${names[i]} is repeated`)
      reported[i] = true
    }
  }
  const value = (i: number): string | undefined => {
    const v = state.values[i]
    const t = v === undefined ? "" : trimWhitespace(v)
    return t === "" ? undefined : t
  }
  let apiUser = value(API_USER)
  let apiKey = value(API_KEY)
  if (apiKey === undefined && fallback?.apiKey !== undefined) {
    const key = trimWhitespace(fallback.apiKey)
    if (key !== "") {
      apiKey = key
      if (apiUser === undefined) {
        const user = fallback.apiUser === undefined ? "" : trimWhitespace(fallback.apiUser)
        apiUser = user === "" ? apiKeyUser : user
      }
    }
  }
  if (apiUser === undefined && fallback?.apiUser !== undefined) {
    const user = trimWhitespace(fallback.apiUser)
    if (user !== "") apiUser = user
  }
  const task = value(TASK)
  const user = value(USER)
  if (apiUser === undefined && !reported[API_USER]) messages.push("missing parameter: api_user")
  if (apiKey === undefined && !reported[API_KEY]) messages.push("missing parameter: api_key")
  if (!reported[TASK]) {
    if (task === undefined) messages.push("missing parameter: task")
    else if (task !== "overview") messages.push("parameter task must be overview")
  }
  if (user === undefined && !reported[USER]) messages.push("missing parameter: user")
  if (messages.length > 0) {
    return Result.fail(new InvalidRequest({ messages: messages as unknown as readonly [string, ...Array<string>] }))
  }
  return Result.succeed({ apiUser: apiUser!, apiKey: Redacted.make(apiKey!), task: "overview", user: user! })
}

const formEncode = (s: string): string => encodeURIComponent(toWellFormed(s)).replace(/%20/g, "+")

/**
 * Writes the form body (or query string) of an overview request:
 * `api_user=…&api_key=…&task=overview&user=…`, form-urlencoded. The only
 * place where the key leaves its `Redacted`. Lone surrogates become U+FFFD.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeRequestParams = (credentials: Credentials, user: string): string =>
  `api_user=${formEncode(credentials.apiUser)}&api_key=${formEncode(Redacted.value(credentials.apiKey))}&task=overview&user=${formEncode(user)}`
