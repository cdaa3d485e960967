/**
 * Reading and parsing the parameters of a wire request: the query string,
 * and for POST an `application/x-www-form-urlencoded` or
 * `multipart/form-data` body of at most `maxBodyBytes`, read with Node's
 * streams (no more than the limit is ever buffered).
 *
 * @since 0.1.0
 */
import type * as Http from "node:http"
import * as MultipartParser from "effect/http/MultipartParser"

/**
 * Why a body cannot be taken.
 *
 * @since 0.1.0
 * @category models
 */
export type BodyProblem =
  | { readonly _tag: "PayloadTooLarge" }
  | { readonly _tag: "UnsupportedMediaType" }
  | { readonly _tag: "Malformed"; readonly message: string }

const mediaTypeOf = (contentType: string): string => {
  const semi = contentType.indexOf(";")
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase()
}

/**
 * Whether a POST with this `Content-Type` can carry parameters (an absent
 * type is taken only with an empty body).
 *
 * @since 0.1.0
 * @category parsing
 */
export const isSupportedMediaType = (contentType: string | undefined): boolean => {
  if (contentType === undefined) return true
  const media = mediaTypeOf(contentType)
  return media === "application/x-www-form-urlencoded" || media === "multipart/form-data"
}

const multipartMessages: Record<string, string> = {
  InvalidBoundary: "multipart body without a boundary in its Content-Type",
  BadHeaders: "multipart body with malformed part headers",
  InvalidDisposition: "multipart part without a form-data name",
  ReachedLimit: "multipart body with too many parts",
  EndNotReached: "multipart body ends before its closing boundary"
}

const encodePair = (name: string, value: string): string => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`

/**
 * The parameters of a POST body, form-urlencoded (a multipart body's fields
 * are re-encoded), given its `Content-Type`; or why it cannot be taken.
 *
 * @since 0.1.0
 * @category parsing
 */
export const bodyParams = (contentType: string | undefined, body: Buffer): string | BodyProblem => {
  if (contentType === undefined) return body.length === 0 ? "" : { _tag: "UnsupportedMediaType" }
  const media = mediaTypeOf(contentType)
  if (media === "application/x-www-form-urlencoded") return body.toString("utf8")
  if (media !== "multipart/form-data") return { _tag: "UnsupportedMediaType" }
  const fields: Array<string> = []
  let problem: BodyProblem | undefined
  let done = false
  const parser = MultipartParser.make({
    headers: { "content-type": contentType },
    isFile: () => false,
    maxParts: 64,
    onField: (info, value) => {
      fields.push(encodePair(info.name, MultipartParser.decodeField(info, value)))
    },
    onFile: () => () => {},
    onError: (error) => {
      problem ??= { _tag: "Malformed", message: multipartMessages[error._tag] ?? "malformed multipart body" }
    },
    onDone: () => {
      done = true
    }
  })
  parser.write(body)
  parser.end()
  if (problem === undefined && !done) problem = { _tag: "Malformed", message: multipartMessages.EndNotReached! }
  return problem ?? fields.join("&")
}

/**
 * Reads a request body of at most `limit` bytes and calls `onDone` once:
 * with the bytes, with `"too-large"` as soon as the limit is passed (reading
 * stops there) or with `"aborted"` when the client goes away.
 *
 * @since 0.1.0
 * @category reading
 */
export const readBody = (
  request: Http.IncomingMessage,
  limit: number,
  onDone: (body: Buffer | "too-large" | "aborted") => void
): void => {
  const declared = request.headers["content-length"]
  if (declared !== undefined && Number(declared) > limit) {
    onDone("too-large")
    return
  }
  const chunks: Array<Buffer> = []
  let size = 0
  let finished = false
  const finish = (result: Buffer | "too-large" | "aborted") => {
    if (finished) return
    finished = true
    request.off("data", onData)
    request.off("end", onEnd)
    request.off("error", onAbort)
    request.off("aborted", onAbort)
    onDone(result)
  }
  const onData = (chunk: Buffer) => {
    size += chunk.length
    if (size > limit) {
      request.pause()
      finish("too-large")
      return
    }
    chunks.push(chunk)
  }
  const onEnd = () => finish(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size))
  const onAbort = () => finish("aborted")
  request.on("data", onData)
  request.on("end", onEnd)
  request.on("error", onAbort)
  request.on("aborted", onAbort)
}
