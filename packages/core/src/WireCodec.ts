/**
 * The wire codecs in one place: overview and error bodies out (XML or JSON,
 * v1 or v2), responses in. The server encodes with them, the SDK decodes
 * with them; request parameters are `Params`, content types `MediaType`.
 *
 * @since 0.1.0
 */
import { Result } from "effect"
import { DecodeError } from "./Errors.js"
import { decodeJson, encodeErrorBodyJson, encodeOverviewJson } from "./Json.js"
import { mediaTypeOf } from "./MediaType.js"
import type { Dialect, ErrorBody, Format, Overview } from "./Overview.js"
import { decodeXml, encodeErrorBodyXml, encodeOverviewXml } from "./Xml.js"

/**
 * A decoded response body: an overview, or the error body the server sent.
 *
 * @since 0.1.0
 * @category models
 */
export type DecodedResponse =
  | { readonly _tag: "Overview"; readonly overview: Overview }
  | { readonly _tag: "ErrorBody"; readonly body: ErrorBody }

/**
 * Options of the response decoders.
 *
 * @since 0.1.0
 * @category models
 */
export interface DecodeOptions {
  /** Largest body accepted, checked before parsing; default `defaultMaxBytes` (1 MiB). For a string, its length. */
  readonly maxBytes?: number | undefined
  /** The format when the content type does not tell it; sniffed from the body otherwise. */
  readonly format?: Format | undefined
}

/**
 * The default largest response body the decoders read: 1 MiB.
 *
 * @since 0.1.0
 * @category wire
 */
export const defaultMaxBytes = 1024 * 1024

const contentTypes = {
  json: "application/json; charset=utf-8",
  xml: "text/xml; charset=ISO-8859-1"
} as const

/**
 * The `Content-Type` of a body: `application/json; charset=utf-8` or
 * `text/xml; charset=ISO-8859-1`.
 *
 * @since 0.1.0
 * @category wire
 */
export const contentTypeOf = (format: Format): string => contentTypes[format]

/**
 * Encodes an overview: XML (ISO-8859-1, the same in both dialects) or JSON
 * (UTF-8; numbers in v1, numeric strings but `credits_remain` in v2).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeOverview = (overview: Overview, format: Format, dialect: Dialect): Uint8Array =>
  format === "xml" ? encodeOverviewXml(overview) : encodeOverviewJson(overview, dialect)

/**
 * Encodes an error body with one or more messages.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeErrorBody = (errors: readonly [string, ...Array<string>], format: Format): Uint8Array =>
  format === "xml" ? encodeErrorBodyXml(errors) : encodeErrorBodyJson(errors)

const sniff = (body: Uint8Array | string): Format | undefined => {
  const text = typeof body === "string"
  const n = text ? body.length : body.byteLength
  for (let i = 0; i < n && i < 1024; i++) {
    const c = text ? body.charCodeAt(i) : body[i]!
    if (c === 0x3c) return "xml"
    if (c === 0x7b || c === 0x22 || c === 0x5b) return "json"
    const skippable = c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff
    const bom = !text && i < 3 && (c === 0xef || c === 0xbb || c === 0xbf)
    if (!skippable && !bom) return undefined
  }
  return undefined
}

const failure = (reason: string) => Result.fail(new DecodeError({ path: "", reason }))

/**
 * Decodes a response body: an overview or an error body, in XML or JSON.
 * The format comes from `contentType`, else `options.format`, else the
 * body's first character (`<` or `{`/`"`). Bodies over `options.maxBytes`
 * (1 MiB by default) are refused before parsing. Every failure is a
 * `DecodeError` whose `path` is the wire name of the field at fault ("" for
 * the document); the function never throws.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeResponse = (
  body: Uint8Array | string,
  contentType?: string | undefined,
  options?: DecodeOptions | undefined
): Result.Result<DecodedResponse, DecodeError> => {
  try {
    const maxBytes = options?.maxBytes ?? defaultMaxBytes
    const size = typeof body === "string" ? body.length : body.byteLength
    if (size > maxBytes) return failure(`body of ${size} bytes is over the limit of ${maxBytes} bytes`)
    const media = contentType === undefined ? undefined : mediaTypeOf(contentType)
    const format = media?.format ?? options?.format ?? sniff(body)
    if (format === undefined) {
      return failure(size === 0 ? "empty body" : "cannot tell the format: neither XML (<) nor JSON ({)")
    }
    return format === "xml" ? decodeXml(body, media?.charset) : decodeJson(body, media?.charset)
  } catch {
    return failure("unexpected failure while decoding")
  }
}

/**
 * Decodes a response body that must be an overview; an error body is a
 * `DecodeError` at `errors` carrying its messages.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeOverview = (
  body: Uint8Array | string,
  contentType?: string | undefined,
  options?: DecodeOptions | undefined
): Result.Result<Overview, DecodeError> =>
  Result.flatMap(decodeResponse(body, contentType, options), (decoded) =>
    decoded._tag === "Overview"
      ? Result.succeed(decoded.overview)
      : Result.fail(
          new DecodeError({ path: "errors", reason: `the body is an error: ${decoded.body.errors.join("; ")}` })
        )
  )
