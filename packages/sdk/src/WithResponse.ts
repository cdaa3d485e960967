/**
 * The raw response beside the parsed value: every client has a
 * `withResponse` view whose methods are the client's own, with the same
 * arguments, answering `{ data, response }` instead of `data`, where
 * `response` is the answer's status, headers and request id (the answer of
 * the attempt that succeeded). The methods of the client itself keep their
 * return types. A failure carries the same `status` and `requestId` on the
 * error.
 *
 * @example
 * ```ts
 * import { createClient } from "@account-overview/sdk"
 *
 * const client = createClient({ baseUrl: "https://api.example.com", apiUser: "reseller", apiKey: "secret" })
 * const { data, response } = await client.withResponse.overview("customer@example.com")
 * console.log(data.creditsRemain, response.status, response.requestId, response.headers["content-type"])
 * ```
 *
 * @since 0.2.0
 */

/**
 * What a client tells of an answer besides its parsed value.
 *
 * @since 0.2.0
 * @category models
 */
export interface ResponseInfo {
  /** The HTTP status, such as 200. */
  readonly status: number
  /** The response headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>
  /** The service's `X-Request-Id` for this answer, when it sent one: quote it when reporting a problem. */
  readonly requestId: string | undefined
}

/**
 * A parsed value with the response it came in.
 *
 * @since 0.2.0
 * @category models
 */
export interface WithResponse<A> {
  readonly data: A
  readonly response: ResponseInfo
}
