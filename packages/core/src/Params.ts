/**
 * The request parameters of an overview call (`api_user`, `api_key`,
 * `task=overview`, `user`), read from name/value pairs whatever carried them
 * (a query string, a form body, a multipart body's fields, a bearer token),
 * and written by a client.
 *
 * Rules of the reader:
 * - names are case-sensitive, as in the vendor's documentation; unknown
 *   parameters are ignored;
 * - in a query string or form body, `+` is a space and `%XX` escapes are
 *   UTF-8; a malformed escape is an `InvalidRequest` naming the parameter
 *   (never echoing a value);
 * - values are trimmed of spaces, tabs, CR and LF; an empty value counts as
 *   missing;
 * - a known parameter given twice (even once empty), in one source or
 *   across them, is refused: `parameter api_user is repeated`;
 * - every missing parameter is reported at once, one message each:
 *   `missing parameter: user`;
 * - `task` must be exactly `overview`;
 * - a JSON body (`jsonRequestParams`) is an object of the same parameters,
 *   each a string or a number; an array is the parameter given once per
 *   element (so two elements are repeated, none is missing).
 *
 * @since 0.1.0
 */
import { Redacted, Result } from "effect"
import { InvalidRequest, wireMessage } from "./Errors.js"
import { toWellFormed, trimWhitespace } from "./internal/text.js"
import type { Credentials, OverviewRequest } from "./OverviewRequest.js"

/**
 * The `api_user` of a key-only call: the vendor's later documentation lets
 * `api_user` be the literal `apikey` when `api_key` holds an API key, and a
 * bearer token without `api_user` gets it too. The key then speaks for the
 * reseller the customer belongs to.
 *
 * @since 0.1.0
 * @category wire
 */
export const apiKeyUser = "apikey"

/**
 * Where request parameters come from: a query string or form body
 * (`a=b&c=d`, form-urlencoded, a leading `?` allowed), a `URLSearchParams`,
 * or name/value pairs already decoded (a multipart body's fields, the
 * members of a JSON body).
 *
 * @since 0.2.0
 * @category models
 */
export type ParamsSource = string | URLSearchParams | Iterable<readonly [string, string]>

/**
 * Where else the parameters of a request come from.
 *
 * @since 0.2.0
 * @category models
 */
export interface RequestParamsOptions {
  /**
   * A second source read after the first as part of the same list: a POST's
   * body after its query string. A parameter in both is repeated.
   */
  readonly body?: ParamsSource | undefined
  /**
   * The token of an `Authorization: Bearer <token>` header. It is the
   * `api_key` (an `api_key` parameter too is repeated), and a request that
   * names no `api_user` gets `apiKeyUser`. A blank token is as if none was
   * sent.
   */
  readonly bearerKey?: string | undefined
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

const collectQuery = (state: Collected, input: string, first: boolean): void => {
  let start = first && input.charCodeAt(0) === 0x3f ? 1 : 0
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

const collectSource = (state: Collected, source: ParamsSource, first: boolean): void => {
  if (typeof source === "string") collectQuery(state, source, first)
  else for (const [name, value] of source) collect(state, name, value)
}

/**
 * Reads an overview request from its parameters: `input` (a query string,
 * form body or pairs), then `options.body`, then `options.bearerKey` as the
 * `api_key`, all as one list, as if the strings were joined with `&` (a
 * leading `?` is skipped at the start of the list only). Every problem is
 * reported at once in one `InvalidRequest`. Never throws.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeRequestParams = (
  input: ParamsSource,
  options?: RequestParamsOptions
): Result.Result<OverviewRequest, InvalidRequest> => {
  const state: Collected = {
    values: [undefined, undefined, undefined, undefined],
    counts: [0, 0, 0, 0],
    malformed: [false, false, false, false],
    messages: []
  }
  collectSource(state, input, true)
  let bearer = false
  if (options !== undefined) {
    if (options.body !== undefined) collectSource(state, options.body, input === "")
    if (options.bearerKey !== undefined && trimWhitespace(options.bearerKey) !== "") {
      collect(state, "api_key", options.bearerKey)
      bearer = true
    }
  }

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
  const apiKey = value(API_KEY)
  if (apiUser === undefined && bearer) apiUser = apiKeyUser
  const task = value(TASK)
  const user = value(USER)
  if (apiUser === undefined && !reported[API_USER]) messages.push("missing parameter: api_user")
  if (apiKey === undefined && !reported[API_KEY]) messages.push(wireMessage.MissingApiKey)
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

const invalid = (message: string): Result.Result<never, InvalidRequest> =>
  Result.fail(new InvalidRequest({ messages: [message] }))

// How many times each top-level member name occurs in a JSON text that
// `JSON.parse` accepted as an object: `JSON.parse` keeps the last of a
// repeated member, the wire refuses it as repeated.
const memberCounts = (text: string): Map<string, number> => {
  const counts = new Map<string, number>()
  let depth = 0
  let expectName = false
  let i = 0
  const n = text.length
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === 0x22) {
      let j = i + 1
      while (j < n && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1
      if (depth === 1 && expectName) {
        const name = JSON.parse(text.slice(i, j + 1)) as string
        counts.set(name, (counts.get(name) ?? 0) + 1)
        expectName = false
      }
      i = j + 1
      continue
    }
    if (c === 0x7b || c === 0x5b) {
      depth++
      if (depth === 1) expectName = true
    } else if (c === 0x7d || c === 0x5d) {
      depth--
    } else if (c === 0x2c && depth === 1) {
      expectName = true
    }
    i++
  }
  return counts
}

const scalar = (value: unknown): string | undefined =>
  typeof value === "string" ? value : typeof value === "number" && Number.isFinite(value) ? String(value) : undefined

/**
 * Reads the parameters of a JSON request body (`application/json`, already
 * decoded from UTF-8) as name/value pairs for `decodeRequestParams`, under
 * the rules of the form: an object whose known members (`api_user`,
 * `api_key`, `task`, `user`) are strings or numbers (a number is read as
 * its JSON text, `12` is `"12"`); unknown members are ignored, whatever
 * they hold. An array is the parameter given once per element: one element
 * is one value, two are `parameter user is repeated`, none is missing. A
 * member named twice in the object is repeated too. A blank body has no
 * parameters (each is then missing). Anything else is an `InvalidRequest`
 * naming the parameter (`parameter user must be a string or a number`), or
 * saying the body is not a JSON object; values are never echoed.
 *
 * @since 0.2.0
 * @category decoding
 */
export const jsonRequestParams = (
  text: string
): Result.Result<ReadonlyArray<readonly [string, string]>, InvalidRequest> => {
  if (trimWhitespace(text) === "") return Result.succeed([])
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return invalid("the JSON body is not valid JSON")
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return invalid("the JSON body must be an object")
  }
  const members = parsed as Record<string, unknown>
  const counts = memberCounts(text)
  const pairs: Array<readonly [string, string]> = []
  const messages: Array<string> = []
  for (const name of names) {
    if (!Object.hasOwn(members, name)) continue
    const value = members[name]
    const values: ReadonlyArray<unknown> = Array.isArray(value) ? value : [value]
    let ok = true
    for (const element of values) {
      const s = scalar(element)
      if (s === undefined) {
        ok = false
        break
      }
      pairs.push([name, s])
    }
    if (!ok) {
      messages.push(`parameter ${name} must be a string or a number`)
      continue
    }
    for (let extra = (counts.get(name) ?? 1) - 1; extra > 0; extra--) pairs.push([name, ""])
  }
  if (messages.length > 0) {
    return Result.fail(new InvalidRequest({ messages: messages as unknown as readonly [string, ...Array<string>] }))
  }
  return Result.succeed(pairs)
}
