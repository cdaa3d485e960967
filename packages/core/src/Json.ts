/**
 * The JSON wire format: overview bodies in both dialects, error bodies, and a
 * tolerant reader.
 *
 * - v1 writes every numeric field as a JSON number: `{"reputation":100,...}`.
 * - v2 writes every numeric field as a JSON string (`"reputation":"100"`)
 *   except `credits_remain`, which stays a number, as the vendor's v2 sample.
 * - Keys are the wire names, in wire order, no whitespace; UTF-8 bytes.
 *
 * The reader takes either dialect (numbers or numeric strings, whitespace
 * around them allowed). When a body is not valid JSON it tries once more
 * after two repairs seen in the vendor's documentation: a body printed
 * without its enclosing braces gets them, and a raw line break inside a
 * string (with the spaces and tabs around it) is read as one space, as a
 * line wrapped by a renderer; other raw control characters in strings are
 * kept. Valid JSON is never repaired.
 *
 * @since 0.1.0
 */
import { Result } from "effect"
import { DecodeError } from "./Errors.js"
import { checkErrorMessage, errorBodyFromWire, overviewFromWire } from "./internal/fields.js"
import { charsetOf, decodeLatin1, decodeUtf8, encodeUtf8, show } from "./internal/text.js"
import { type Dialect, type ErrorBody, type Overview, overviewFields } from "./Overview.js"
import type { DecodedResponse } from "./WireCodec.js"

type Seps = readonly [string, string, string, string, string, string, string, string, string, string, string]

const separators = (quoted: (wire: string) => boolean): Seps => {
  const open = overviewFields.map(([, name]) => `"${name}":${quoted(name) ? '"' : ""}`)
  const close = overviewFields.map(([, name]) => (quoted(name) ? '"' : ""))
  return [
    `{${open[0]}`,
    ...open.slice(1).map((o, i) => `${close[i]},${o}`),
    `${close[close.length - 1]}}`
  ] as unknown as Seps
}

const isDate = (name: string) => name.endsWith("_date")
const v1 = separators(isDate)
const v2 = separators((name) => isDate(name) || (name !== "package" && name !== "credits_remain"))

/**
 * Encodes an overview as the JSON body of a dialect (UTF-8 bytes).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeOverviewJson = (overview: Overview, dialect: Dialect): Uint8Array => {
  const p = dialect === "v1" ? v1 : v2
  return encodeUtf8(
    p[0] +
      overview.reputation +
      p[1] +
      overview.requests +
      p[2] +
      JSON.stringify(overview.package) +
      p[3] +
      overview.creditsAllowed +
      p[4] +
      overview.creditsUsed +
      p[5] +
      overview.creditsRemain +
      p[6] +
      overview.creditsOverage +
      p[7] +
      overview.billingStartDate +
      p[8] +
      overview.billingEndDate +
      p[9] +
      overview.billingProcessDate +
      p[10]
  )
}

/**
 * Encodes an error body as JSON (UTF-8 bytes): `{"message":"error","errors":["…"]}`.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeErrorBodyJson = (errors: readonly [string, ...Array<string>]): Uint8Array =>
  encodeUtf8(`{"message":"error","errors":${JSON.stringify(errors)}}`)

const isBlank = (c: number): boolean => c === 0x20 || c === 0x09
const isBreak = (c: number): boolean => c === 0x0a || c === 0x0d

/**
 * The repairs of a body that is not valid JSON: braces around a braceless
 * object, raw line breaks in strings folded to one space, other raw control
 * characters in strings escaped. `undefined` when nothing was repaired.
 */
const repair = (text: string): string | undefined => {
  let s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  s = s.trim()
  let changed = s !== text
  if (s.charCodeAt(0) === 0x22) {
    s = `{${s}}`
    changed = true
  }
  let out = ""
  let run = 0
  let inString = false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (!inString) {
      if (c === 0x22) inString = true
      continue
    }
    if (c === 0x5c) {
      i++
    } else if (c === 0x22) {
      inString = false
    } else if (c < 0x20) {
      if (isBreak(c) || isBlank(c)) {
        let a = i
        while (a > run && isBlank(s.charCodeAt(a - 1))) a--
        let b = i
        let lineBreak = false
        while (b < s.length && (isBlank(s.charCodeAt(b)) || isBreak(s.charCodeAt(b)))) {
          if (isBreak(s.charCodeAt(b))) lineBreak = true
          b++
        }
        if (!lineBreak) {
          out += `${s.slice(run, i)}\\t`
          run = i + 1
          continue
        }
        out += `${s.slice(run, a)} `
        run = b
        i = b - 1
      } else {
        out += `${s.slice(run, i)}\\u${c.toString(16).padStart(4, "0")}`
        run = i + 1
      }
    }
  }
  if (run > 0) {
    out += s.slice(run)
    changed = true
  } else out = s
  return changed ? out : undefined
}

const fail = (path: string, reason: string) => Result.fail(new DecodeError({ path, reason }))

const parse = (text: string): { readonly value: unknown } | undefined => {
  try {
    return { value: JSON.parse(text) }
  } catch {
    const repaired = repair(text)
    if (repaired === undefined) return undefined
    try {
      return { value: JSON.parse(repaired) }
    } catch {
      return undefined
    }
  }
}

/**
 * Decodes a JSON body (an overview in either dialect, or an error body).
 * Bytes are read in `charset` (from the content type: UTF-8 or ISO-8859-1),
 * UTF-8 by default; a string is taken as already decoded. An object with a
 * `message` key is a message body; any other object an overview. Never
 * throws.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeJson = (
  body: Uint8Array | string,
  charset?: string | undefined
): Result.Result<DecodedResponse, DecodeError> => {
  let text: string
  if (typeof body === "string") text = body
  else {
    const cs = charset === undefined ? "utf-8" : charsetOf(charset)
    if (cs === undefined) return fail("", `unsupported encoding ${show(charset)}, expected UTF-8 or ISO-8859-1`)
    const decoded = cs === "latin1" ? decodeLatin1(body) : decodeUtf8(body)
    if (decoded === undefined) return fail("", "not valid UTF-8")
    text = decoded
  }
  const parsed = parse(text)
  if (parsed === undefined) return fail("", "not valid JSON")
  const value = parsed.value
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail("", `expected a JSON object, got ${show(value)}`)
  }
  const record = value as Record<string, unknown>
  if (Object.hasOwn(record, "message")) {
    const bad = checkErrorMessage(record.message)
    if (bad !== undefined) return Result.fail(bad)
    const body: ErrorBody | DecodeError = errorBodyFromWire(record.errors)
    return body instanceof DecodeError ? Result.fail(body) : Result.succeed({ _tag: "ErrorBody", body })
  }
  const overview = overviewFromWire(record)
  return overview instanceof DecodeError ? Result.fail(overview) : Result.succeed({ _tag: "Overview", overview })
}
