/**
 * Characters, whitespace, charsets and byte conversions shared by the codecs.
 * Platform-neutral: no `Buffer`, only `TextEncoder`/`TextDecoder`.
 */

/** XML's whitespace (space, tab, LF, CR), the only whitespace the codecs trim. */
export const isWhitespace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d

export const trimWhitespace = (s: string): string => {
  let start = 0
  let end = s.length
  while (start < end && isWhitespace(s.charCodeAt(start))) start++
  while (end > start && isWhitespace(s.charCodeAt(end - 1))) end--
  return start === 0 && end === s.length ? s : s.slice(start, end)
}

/** Whether a code point is a `Char` of XML 1.0 (what a document may carry, literally or by reference). */
export const isXmlChar = (cp: number): boolean =>
  cp >= 0x20
    ? cp <= 0xd7ff || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff)
    : cp === 0x09 || cp === 0x0a || cp === 0x0d

export type Charset = "utf-8" | "latin1"

const charsets: Record<string, Charset> = {
  "utf-8": "utf-8",
  utf8: "utf-8",
  "unicode-1-1-utf-8": "utf-8",
  "iso-8859-1": "latin1",
  "iso8859-1": "latin1",
  iso_8859_1: "latin1",
  "iso_8859-1": "latin1",
  "iso_8859-1:1987": "latin1",
  latin1: "latin1",
  "latin-1": "latin1",
  l1: "latin1",
  "iso-ir-100": "latin1",
  cp819: "latin1",
  ibm819: "latin1",
  csisolatin1: "latin1",
  "us-ascii": "latin1",
  ascii: "latin1"
}

/** The charset named by a label (case-insensitive), or `undefined` when it is not supported. */
export const charsetOf = (label: string): Charset | undefined => {
  const key = label.trim().toLowerCase()
  return Object.hasOwn(charsets, key) ? charsets[key] : undefined
}

const utf8Decoder = new TextDecoder("utf-8", { fatal: true })
// WHATWG maps the latin1 labels to windows-1252, which equals ISO-8859-1 except on bytes 0x80-0x9F.
const cp1252Decoder = new TextDecoder("windows-1252")
const utf8Encoder = new TextEncoder()

/** UTF-8 bytes to a string (a leading BOM dropped), or `undefined` when the bytes are not UTF-8. */
export const decodeUtf8 = (bytes: Uint8Array): string | undefined => {
  try {
    return utf8Decoder.decode(bytes)
  } catch {
    return undefined
  }
}

/** ISO-8859-1 bytes to a string: every byte is the code point of the same value. */
export const decodeLatin1 = (bytes: Uint8Array): string => {
  let high = false
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    if (b >= 0x80) {
      if (b < 0xa0) return latin1Slow(bytes)
      high = true
    }
  }
  return high ? cp1252Decoder.decode(bytes) : (utf8Decoder.decode(bytes) as string)
}

const latin1Slow = (bytes: Uint8Array): string => {
  let out = ""
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as Array<number>)
  }
  return out
}

const poolSize = 256 * 1024
let pool = new ArrayBuffer(poolSize)
let poolOffset = 0

/**
 * `n` fresh bytes. Small ones are views on a shared 256 KiB pool, as Node's
 * `Buffer` does: allocating a small `ArrayBuffer` per body costs more than
 * building the body. A pool whose buffer was transferred away is replaced.
 */
export const allocate = (n: number): Uint8Array => {
  if (n > poolSize >>> 3) return new Uint8Array(n)
  if (poolOffset + n > poolSize || pool.byteLength === 0) {
    pool = new ArrayBuffer(poolSize)
    poolOffset = 0
  }
  const bytes = new Uint8Array(pool, poolOffset, n)
  poolOffset = (poolOffset + n + 7) & ~7
  return bytes
}

/** A string of code units up to 0xFF to its ISO-8859-1 bytes. */
export const encodeLatin1 = (s: string): Uint8Array => {
  const out = allocate(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}

/** An ASCII string to its bytes (the same in UTF-8 and ISO-8859-1). */
export const encodeAscii = (s: string): Uint8Array => {
  const out = allocate(s.length)
  utf8Encoder.encodeInto(s, out)
  return out
}

/** A string to UTF-8 bytes (lone surrogates become U+FFFD). */
export const encodeUtf8 = (s: string): Uint8Array => {
  if (s.length > poolSize >>> 5) return utf8Encoder.encode(s)
  const scratch = allocate(s.length * 3)
  const { written } = utf8Encoder.encodeInto(s, scratch)
  poolOffset = (scratch.byteOffset + written + 7) & ~7
  return scratch.subarray(0, written)
}

/** Whether every code unit of `s` is ASCII. */
export const isAscii = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false
  return true
}

/** `s` with every lone surrogate replaced by U+FFFD. */
export const toWellFormed = (s: string): string => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdfff) {
      if (c <= 0xdbff) {
        const d = s.charCodeAt(i + 1)
        if (d >= 0xdc00 && d <= 0xdfff) {
          i++
          continue
        }
      }
      return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD")
    }
  }
  return s
}

/** A short, printable rendering of a value for an error reason (at most about 40 characters). */
export const show = (value: unknown): string => {
  switch (typeof value) {
    case "string": {
      const s = JSON.stringify(value.length > 40 ? value.slice(0, 40) : value)
      return s.length > 40 || value.length > 40 ? `${s.slice(0, 36)}..."` : s
    }
    case "number":
    case "boolean":
      return String(value)
    case "object":
      return value === null ? "null" : Array.isArray(value) ? "an array" : "an object"
    default:
      return typeof value
  }
}
