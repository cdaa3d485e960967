/**
 * Reading and parsing the parameters of a wire request's body: for POST an
 * `application/x-www-form-urlencoded` or `multipart/form-data` body of at
 * most `maxBodyBytes`, read with Node's streams (no more than the limit is
 * ever buffered). The `Content-Type` is read once, by core's `mediaTypeOf`;
 * a multipart body's fields become name/value pairs for core's
 * `decodeRequestParams`, as they are.
 *
 * @since 0.1.0
 */
import type * as Http from "node:http"
import { mediaTypeOf, type ParamsSource } from "@account-overview/core"
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

/**
 * How a POST body carries parameters, told by its `Content-Type`: no type
 * (only an empty body is taken), a form body, or a multipart body (with the
 * header, which holds its boundary).
 *
 * @since 0.2.0
 * @category models
 */
export type BodyEncoding =
  | { readonly _tag: "None" }
  | { readonly _tag: "Form" }
  | { readonly _tag: "Multipart"; readonly contentType: string }

const none: BodyEncoding = { _tag: "None" }
const form: BodyEncoding = { _tag: "Form" }

/**
 * The encoding of a POST body with this `Content-Type`, or `undefined` when
 * the type carries no parameters (a 415).
 *
 * @since 0.2.0
 * @category parsing
 */
export const bodyEncodingOf = (contentType: string | undefined): BodyEncoding | undefined => {
  if (contentType === undefined) return none
  switch (mediaTypeOf(contentType).essence) {
    case "application/x-www-form-urlencoded":
      return form
    case "multipart/form-data":
      return { _tag: "Multipart", contentType }
    default:
      return undefined
  }
}

const multipartMessages: Record<string, string> = {
  InvalidBoundary: "multipart body without a boundary in its Content-Type",
  BadHeaders: "multipart body with malformed part headers",
  InvalidDisposition: "multipart part without a form-data name",
  ReachedLimit: "multipart body with too many parts",
  EndNotReached: "multipart body ends before its closing boundary"
}

const multipartFields = (contentType: string, body: Buffer): ParamsSource | BodyProblem => {
  const fields: Array<readonly [string, string]> = []
  let problem: BodyProblem | undefined
  let done = false
  const parser = MultipartParser.make({
    headers: { "content-type": contentType },
    isFile: () => false,
    maxParts: 64,
    onField: (info, value) => {
      fields.push([info.name, MultipartParser.decodeField(info, value)])
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
  return problem ?? fields
}

/**
 * The parameters of a POST body in `encoding` (`bodyEncodingOf`): a form
 * body's text, a multipart body's fields as name/value pairs; or why it
 * cannot be taken.
 *
 * @since 0.1.0
 * @category parsing
 */
export const bodyParams = (encoding: BodyEncoding | undefined, body: Buffer): ParamsSource | BodyProblem => {
  if (encoding === undefined) return { _tag: "UnsupportedMediaType" }
  switch (encoding._tag) {
    case "None":
      return body.length === 0 ? "" : { _tag: "UnsupportedMediaType" }
    case "Form":
      return body.toString("utf8")
    case "Multipart":
      return multipartFields(encoding.contentType, body)
  }
}

/**
 * Whether `bodyParams` answered parameters rather than a problem.
 *
 * @since 0.2.0
 * @category parsing
 */
export const isBodyProblem = (params: ParamsSource | BodyProblem): params is BodyProblem =>
  typeof params !== "string" && "_tag" in params

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
