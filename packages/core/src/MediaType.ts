/**
 * The one reader of `Content-Type` headers in the system: the media type's
 * essence (`type/subtype`, lower case), the wire format it names and its
 * charset. The response decoders, the server's wire bodies and the operator
 * API's usage batches all read their content types with it.
 *
 * @since 0.2.0
 */
import type { Format } from "./Overview.js"

/**
 * What a `Content-Type` header says: its essence (`type/subtype`, trimmed
 * and in lower case, `""` when the header is blank), the format it names
 * (`json` for `application/json` or any `+json`, `xml` for `text/xml`,
 * `application/xml` or any `+xml`) and its charset, unquoted.
 *
 * @since 0.1.0
 * @category models
 */
export interface MediaType {
  /** @since 0.2.0 */
  readonly essence: string
  readonly format: Format | undefined
  readonly charset: string | undefined
}

const parseMediaType = (contentType: string): MediaType => {
  const parts = contentType.split(";")
  const essence = parts[0]!.trim().toLowerCase()
  const subtype = essence.slice(essence.indexOf("/") + 1)
  const format: Format | undefined =
    subtype === "json" || subtype.endsWith("+json")
      ? "json"
      : subtype === "xml" || subtype.endsWith("+xml")
        ? "xml"
        : undefined
  let charset: string | undefined
  for (let i = 1; i < parts.length; i++) {
    const param = parts[i]!
    const eq = param.indexOf("=")
    if (eq !== -1 && param.slice(0, eq).trim().toLowerCase() === "charset") {
      charset = param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, "$1")
    }
  }
  return { essence, format, charset }
}

const mediaTypes = new Map<string, MediaType>()

/**
 * Reads a `Content-Type` header (see `MediaType`). Never throws. Recent
 * answers are cached: a client sends few distinct content types.
 *
 * @since 0.1.0
 * @category parsing
 */
export const mediaTypeOf = (contentType: string): MediaType => {
  let media = mediaTypes.get(contentType)
  if (media === undefined) {
    media = parseMediaType(contentType)
    if (contentType.length <= 256) {
      if (mediaTypes.size >= 64) mediaTypes.clear()
      mediaTypes.set(contentType, media)
    }
  }
  return media
}
