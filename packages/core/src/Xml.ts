/**
 * The XML wire format: overview and error bodies as the seed prints them,
 * encoded in ISO-8859-1, and a strict, DTD-free reader for them.
 *
 * Layout (byte-compatible with the seed's samples): the declaration
 * `<?xml version="1.0" encoding="ISO-8859-1"?>`, a blank line, then
 * `<result>` with children indented by three spaces per level, one element a
 * line, and a final newline. Both dialects share this shape.
 *
 * Text is escaped as `&amp;`, `&lt;`, `&gt;`; characters outside Latin-1 and
 * the C1 controls (U+007F-U+009F) are written as one decimal character
 * reference each (`&#22871;`, `&#128512;` for an astral character); CR is
 * written `&#13;` and whitespace at either end of a value as references, so
 * that readers that trim or normalise line ends give back the same string.
 * Characters XML 1.0 cannot carry at all (controls other than tab, LF and
 * CR, lone surrogates, U+FFFE, U+FFFF) are replaced by U+FFFD: see
 * `sanitizeForXml`.
 *
 * @since 0.1.0
 */
import { Result } from "effect"
import { DecodeError } from "./Errors.js"
import { checkErrorMessage, errorBodyFromWire, overviewFromWire } from "./internal/fields.js"
import { charsetOf, decodeLatin1, decodeUtf8, encodeAscii, encodeLatin1, isAscii, show } from "./internal/text.js"
import { declaredEncoding, position, scan, type XmlElement, XmlSyntaxError } from "./internal/xmlScanner.js"
import { type ErrorBody, type Overview, overviewFields } from "./Overview.js"
import type { DecodedResponse } from "./WireCodec.js"

/**
 * The XML declaration every XML body starts with.
 *
 * @since 0.1.0
 * @category wire
 */
export const xmlDeclaration = `<?xml version="1.0" encoding="ISO-8859-1"?>`

const head = `${xmlDeclaration}\n\n<result>\n`
const tail = "</result>\n"

const isXmlWs = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d

const escapeSlow = (s: string): string => {
  const n = s.length
  let first = 0
  while (first < n && isXmlWs(s.charCodeAt(first))) first++
  let last = n
  while (last > first && isXmlWs(s.charCodeAt(last - 1))) last--
  let out = ""
  let run = 0
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    let ref: string
    if (c >= 0x20 && c < 0x7f) {
      if (c === 0x26) ref = "&amp;"
      else if (c === 0x3c) ref = "&lt;"
      else if (c === 0x3e) ref = "&gt;"
      else if (c === 0x20 && (i < first || i >= last)) ref = "&#32;"
      else continue
    } else if (c >= 0xa0 && c <= 0xff) {
      continue
    } else if (c === 0x09 || c === 0x0a) {
      if (i >= first && i < last) continue
      ref = `&#${c};`
    } else if (c === 0x0d) {
      ref = "&#13;"
    } else if (c < 0x20 || c === 0xfffe || c === 0xffff) {
      ref = "&#65533;"
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = s.charCodeAt(i + 1)
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        out += s.slice(run, i) + `&#${(c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000};`
        run = ++i + 1
        continue
      }
      ref = "&#65533;"
    } else {
      ref = `&#${c};`
    }
    out += s.slice(run, i) + ref
    run = i + 1
  }
  return run === 0 ? s : out + s.slice(run)
}

/**
 * Escapes a string as XML character data, to be written in ISO-8859-1: the
 * result holds only code units up to 0xFF.
 *
 * @since 0.1.0
 * @category encoding
 */
export const escapeXmlText = (s: string): string => {
  const n = s.length
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x20 || c > 0x7e || c === 0x26 || c === 0x3c || c === 0x3e) return escapeSlow(s)
  }
  return n > 0 && (s.charCodeAt(0) === 0x20 || s.charCodeAt(n - 1) === 0x20) ? escapeSlow(s) : s
}

/**
 * What of a string an XML body carries: every character XML 1.0 does not
 * allow (controls other than tab, LF and CR, lone surrogates, U+FFFE,
 * U+FFFF) replaced by U+FFFD. Encoding to XML then decoding gives exactly
 * this.
 *
 * @since 0.1.0
 * @category encoding
 */
export const sanitizeForXml = (s: string): string =>
  s.replace(
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    "\uFFFD"
  )

const toBytes = (s: string, ascii: boolean): Uint8Array => (ascii ? encodeAscii(s) : encodeLatin1(s))

const wire = overviewFields.map(([, name]) => name)
const overviewSeps = [
  `${head}   <overview>\n      <${wire[0]}>`,
  ...wire.slice(1).map((name, i) => `</${wire[i]}>\n      <${name}>`),
  `</${wire[wire.length - 1]}>\n   </overview>\n${tail}`
]
const [s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10] = overviewSeps as unknown as readonly [
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string
]

/**
 * Encodes an overview as the XML body (ISO-8859-1 bytes). Both dialects
 * share this shape.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeOverviewXml = (overview: Overview): Uint8Array => {
  const pkg = escapeXmlText(overview.package)
  const s =
    s0 +
    overview.reputation +
    s1 +
    overview.requests +
    s2 +
    pkg +
    s3 +
    overview.creditsAllowed +
    s4 +
    overview.creditsUsed +
    s5 +
    overview.creditsRemain +
    s6 +
    overview.creditsOverage +
    s7 +
    overview.billingStartDate +
    s8 +
    overview.billingEndDate +
    s9 +
    overview.billingProcessDate +
    s10
  return toBytes(s, isAscii(pkg))
}

/**
 * Encodes an error body as XML (ISO-8859-1 bytes):
 * `<result><message>error</message><errors><error>…</error>…</errors></result>`.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeErrorBodyXml = (errors: readonly [string, ...Array<string>]): Uint8Array => {
  let s = `${head}   <message>error</message>\n   <errors>\n`
  for (const error of errors) s += `      <error>${escapeXmlText(error)}</error>\n`
  s += `   </errors>\n${tail}`
  return toBytes(s, isAscii(s))
}

const fail = (path: string, reason: string) => Result.fail(new DecodeError({ path, reason }))

const fieldNames = new Set<string>(wire)

const leaf = (element: XmlElement, path: string): DecodeError | undefined =>
  element.children.length === 0 ? undefined : new DecodeError({ path, reason: "expected a value, got child elements" })

const fromTree = (root: XmlElement): Result.Result<DecodedResponse, DecodeError> => {
  if (root.name !== "result") return fail("", `root element is <${root.name}>, expected <result>`)
  let overview: XmlElement | undefined
  let message: XmlElement | undefined
  let errors: XmlElement | undefined
  for (const child of root.children) {
    const name = child.name
    if (name === "overview") {
      if (overview !== undefined) return fail("overview", "repeated")
      overview = child
    } else if (name === "message") {
      if (message !== undefined) return fail("message", "repeated")
      message = child
    } else if (name === "errors") {
      if (errors !== undefined) return fail("errors", "repeated")
      errors = child
    }
  }
  if (message !== undefined) {
    const bad = leaf(message, "message") ?? checkErrorMessage(message.text)
    if (bad !== undefined) return Result.fail(bad)
    if (errors === undefined) return fail("errors", "missing")
    const messages: Array<string> = []
    for (const error of errors.children) {
      if (error.name !== "error") continue
      const notLeaf = leaf(error, `errors[${messages.length}]`)
      if (notLeaf !== undefined) return Result.fail(notLeaf)
      messages.push(error.text)
    }
    const body: ErrorBody | DecodeError = errorBodyFromWire(messages)
    return body instanceof DecodeError ? Result.fail(body) : Result.succeed({ _tag: "ErrorBody", body })
  }
  if (overview === undefined) {
    return fail(
      "overview",
      root.children.length === 0 && root.text !== ""
        ? `missing, the body is <result>${show(root.text)}</result>`
        : "missing"
    )
  }
  const fields: Record<string, string> = Object.create(null)
  for (const child of overview.children) {
    const name = child.name
    if (!fieldNames.has(name)) continue
    if (fields[name] !== undefined) return fail(name, "repeated")
    const notLeaf = leaf(child, name)
    if (notLeaf !== undefined) return Result.fail(notLeaf)
    fields[name] = child.text
  }
  const decoded = overviewFromWire(fields)
  return decoded instanceof DecodeError ? Result.fail(decoded) : Result.succeed({ _tag: "Overview", overview: decoded })
}

const toText = (body: Uint8Array, charset: string | undefined): string | DecodeError => {
  const b0 = body[0]
  const b1 = body[1]
  if ((b0 === 0xfe && b1 === 0xff) || (b0 === 0xff && b1 === 0xfe)) {
    return new DecodeError({ path: "", reason: "unsupported encoding UTF-16, expected ISO-8859-1 or UTF-8" })
  }
  const label = declaredEncoding(decodeLatin1(body.subarray(0, 128))) ?? charset ?? "utf-8"
  const cs = charsetOf(label)
  if (cs === undefined) {
    return new DecodeError({ path: "", reason: `unsupported encoding ${show(label)}, expected ISO-8859-1 or UTF-8` })
  }
  if (cs === "latin1") return decodeLatin1(body)
  return decodeUtf8(body) ?? new DecodeError({ path: "", reason: "not valid UTF-8" })
}

/**
 * Decodes an XML body (an overview or an error body). Bytes are read in the
 * encoding the XML declaration names, else in `charset` (from the content
 * type), else as UTF-8; only ISO-8859-1 (and US-ASCII) and UTF-8 are
 * supported. A string is taken as already decoded. Never throws.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeXml = (
  body: Uint8Array | string,
  charset?: string | undefined
): Result.Result<DecodedResponse, DecodeError> => {
  const text = typeof body === "string" ? body : toText(body, charset)
  if (typeof text !== "string") return Result.fail(text)
  let root: XmlElement
  try {
    root = scan(text)
  } catch (e) {
    if (e instanceof XmlSyntaxError) return fail("", `${e.reason}, at ${position(text, e.offset)} of the XML`)
    return fail("", "unreadable XML")
  }
  return fromTree(root)
}
