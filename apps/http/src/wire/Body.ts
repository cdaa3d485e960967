/**
 * Reading and parsing the parameters of a wire request's body: for POST an
 * `application/x-www-form-urlencoded`, `multipart/form-data` or
 * `application/json` body of at most `maxBodyBytes`, read with Node's
 * streams (no more than the limit is ever buffered). The `Content-Type` is
 * read once, by core's `mediaTypeOf`; a multipart body's fields and a JSON
 * body's members (core's `jsonRequestParams`) become name/value pairs for
 * core's `decodeRequestParams`. A form body is read in its declared
 * charset, UTF-8 (the default) or ISO-8859-1; a JSON body in UTF-8; any
 * other charset is refused before the body is read.
 *
 * @since 0.1.0
 */
import type * as Http from "node:http"
import { type InvalidRequest, jsonRequestParams, mediaTypeOf, type ParamsSource } from "@account-overview/core"
import { Result } from "effect"
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
  | { readonly _tag: "Invalid"; readonly error: InvalidRequest }

/**
 * How a POST body carries parameters, told by its `Content-Type`: no type
 * (only an empty body is taken), a form body (in UTF-8 or ISO-8859-1), a
 * multipart body (with the header, which holds its boundary) or a JSON
 * body; or a charset the service does not read (a 415 that names it).
 *
 * @since 0.2.0
 * @category models
 */
export type BodyEncoding =
  | { readonly _tag: "None" }
  | { readonly _tag: "Form"; readonly charset: "utf-8" | "latin1" }
  | { readonly _tag: "Multipart"; readonly contentType: string }
  | { readonly _tag: "Json" }
  | { readonly _tag: "UnsupportedCharset"; readonly charset: string }

const none: BodyEncoding = { _tag: "None" }
const formUtf8: BodyEncoding = { _tag: "Form", charset: "utf-8" }
const formLatin1: BodyEncoding = { _tag: "Form", charset: "latin1" }
const json: BodyEncoding = { _tag: "Json" }

const utf8Labels = new Set(["utf-8", "utf8", "unicode-1-1-utf-8"])
// ISO-8859-1 and its labels; US-ASCII is its subset.
const latin1Labels = new Set([
  "iso-8859-1",
  "iso8859-1",
  "iso_8859-1",
  "iso_8859-1:1987",
  "latin1",
  "latin-1",
  "l1",
  "iso-ir-100",
  "cp819",
  "ibm819",
  "csisolatin1",
  "us-ascii",
  "ascii"
])

/**
 * The encoding of a POST body with this `Content-Type`, or `undefined` when
 * the type carries no parameters (a 415).
 *
 * @since 0.2.0
 * @category parsing
 */
export const bodyEncodingOf = (contentType: string | undefined): BodyEncoding | undefined => {
  if (contentType === undefined) return none
  const media = mediaTypeOf(contentType)
  const charset = media.charset?.toLowerCase()
  switch (media.essence) {
    case "application/x-www-form-urlencoded":
      if (charset === undefined || utf8Labels.has(charset)) return formUtf8
      return latin1Labels.has(charset) ? formLatin1 : { _tag: "UnsupportedCharset", charset: media.charset! }
    case "multipart/form-data":
      return { _tag: "Multipart", contentType }
    case "application/json":
      return charset === undefined || utf8Labels.has(charset)
        ? json
        : { _tag: "UnsupportedCharset", charset: media.charset! }
    default:
      return undefined
  }
}

// A form body in ISO-8859-1 as the same form in UTF-8: each byte is its
// character, and an escape of a byte past ASCII becomes the escapes of its
// character in UTF-8, so core's reader (UTF-8 escapes) reads it as sent.
const latin1Form = (body: Buffer): string => {
  const text = body.toString("latin1")
  return text.indexOf("%") < 0
    ? text
    : text.replace(/%([89A-Fa-f][0-9A-Fa-f])/g, (_, hex: string) =>
        encodeURIComponent(String.fromCharCode(Number.parseInt(hex, 16)))
      )
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
      return encoding.charset === "utf-8" ? body.toString("utf8") : latin1Form(body)
    case "Multipart":
      return multipartFields(encoding.contentType, body)
    case "Json": {
      const members = jsonRequestParams(body.toString("utf8"))
      if (Result.isFailure(members)) return { _tag: "Invalid", error: members.failure }
      return members.success.length === 0 ? "" : members.success
    }
    case "UnsupportedCharset":
      return { _tag: "UnsupportedMediaType" }
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
