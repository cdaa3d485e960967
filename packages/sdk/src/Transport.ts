/**
 * The transport beneath the client: one HTTP exchange, bytes in and bytes
 * out. The SDK adds everything else (encoding, retries, timeouts, decoding).
 * On Node the default is `undiciTransport` (a keep-alive pool); elsewhere
 * `fetchTransport`. A custom transport is a function of this shape.
 *
 * @since 0.1.0
 */
import { DecodeError } from "./Errors.js"
import { concat, declaredLength } from "./internal/bytes.js"

/**
 * One request handed to a transport.
 *
 * @since 0.1.0
 * @category models
 */
export interface TransportRequest {
  readonly method: "GET" | "POST"
  /** Absolute URL (for GET it holds the credentials in its query string: never log it). */
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string | undefined
  /** Aborted on timeout, deadline or the caller's abort: stop and reject. */
  readonly signal: AbortSignal
  /** Refuse a larger body without reading it whole: reject with `DecodeError`. */
  readonly maxResponseBytes: number
}

/**
 * A transport's answer: the status, the headers with lower-case names, the
 * whole body.
 *
 * @since 0.1.0
 * @category models
 */
export interface TransportResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
}

/**
 * A function making one HTTP exchange. Reject with an `AccountOverviewError`
 * (typically `DecodeError` for a body past `maxResponseBytes`) to report a
 * typed failure; any other rejection counts as a connection failure and may
 * be retried. `close`, when present, releases pooled connections.
 *
 * @since 0.1.0
 * @category models
 */
export interface Transport {
  (request: TransportRequest): Promise<TransportResponse>
  readonly close?: (() => Promise<void>) | undefined
}

/**
 * The path of a URL, without its query string or fragment.
 *
 * @since 0.1.0
 * @category utils
 */
export const pathOf = (url: string): string => {
  const scheme = url.indexOf("://")
  const start = scheme === -1 ? 0 : url.indexOf("/", scheme + 3)
  if (start === -1) return "/"
  let end = url.length
  const q = url.indexOf("?", start)
  if (q !== -1) end = q
  const h = url.indexOf("#", start)
  if (h !== -1 && h < end) end = h
  return url.slice(start, end)
}

/**
 * The `DecodeError` a transport rejects with when a body is larger than
 * `maxResponseBytes`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const responseTooLarge = (request: TransportRequest, status: number): DecodeError =>
  new DecodeError({
    status,
    method: request.method,
    path: pathOf(request.url),
    reason: `response larger than ${request.maxResponseBytes} bytes`
  })

/**
 * Options of `fetchTransport`.
 *
 * @since 0.1.0
 * @category models
 */
export interface FetchTransportOptions {
  /** The fetch to use; `globalThis.fetch` when not given. */
  readonly fetch?: typeof globalThis.fetch | undefined
  /** Extra `RequestInit` fields (credentials, cache, ...). */
  readonly init?: Omit<RequestInit, "method" | "headers" | "body" | "signal"> | undefined
}

/**
 * A transport over the Fetch API, for browsers, edge runtimes, Deno and Bun.
 * It reads the body chunk by chunk and cancels it past `maxResponseBytes`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fetchTransport = (options: FetchTransportOptions = {}): Transport => {
  const init = options.init ?? {}
  return async (request) => {
    const fetchFn = options.fetch ?? globalThis.fetch
    const response = await fetchFn(request.url, {
      ...init,
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      signal: request.signal
    })
    const headers: Record<string, string> = {}
    response.headers.forEach((value, name) => {
      headers[name] = value
    })
    const length = declaredLength(headers["content-length"])
    if (length !== undefined && length > request.maxResponseBytes) {
      await response.body?.cancel().catch(() => undefined)
      throw responseTooLarge(request, response.status)
    }
    const reader = response.body?.getReader()
    if (reader === undefined) return { status: response.status, headers, body: new Uint8Array(0) }
    const chunks: Array<Uint8Array> = []
    let size = 0
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > request.maxResponseBytes) {
        await reader.cancel().catch(() => undefined)
        throw responseTooLarge(request, response.status)
      }
      chunks.push(value)
    }
    return { status: response.status, headers, body: concat(chunks, size) }
  }
}
