/**
 * The signature of a webhook delivery, as text: the header that carries it
 * and the payload that is signed. A delivery's `AO-Signature` header is
 * `t=<unix seconds>,v1=<hex>`, where the hex is the lower-case
 * HMAC-SHA256, under the endpoint's secret, of `<t>.<raw body>` (Stripe's
 * scheme); during a secret rotation's grace period it carries one `v1=` per
 * secret, the new one first. The HMAC itself is computed by the service and
 * checked by the SDK's `verifyWebhook`: this module does no cryptography.
 *
 * @since 0.2.0
 */

/**
 * The name of the header that carries a delivery's timestamp and signatures.
 *
 * @since 0.2.0
 * @category signatures
 */
export const webhookSignatureHeader = "AO-Signature"

/**
 * What is signed: the timestamp, a dot and the raw body, so that a
 * signature cannot be replayed under another timestamp.
 *
 * @since 0.2.0
 * @category signatures
 */
export const signaturePayload = (timestamp: number, body: string): string => `${timestamp}.${body}`

/**
 * The header value for a timestamp (unix seconds) and its signatures, in
 * order: `t=1700000000,v1=ab…,v1=cd…`.
 *
 * @since 0.2.0
 * @category signatures
 */
export const formatSignatureHeader = (timestamp: number, signatures: ReadonlyArray<string>): string =>
  [`t=${timestamp}`, ...signatures.map((signature) => `v1=${signature}`)].join(",")

/**
 * A parsed signature header: its timestamp (unix seconds) and its `v1`
 * signatures in the order they came.
 *
 * @since 0.2.0
 * @category models
 */
export interface SignatureHeader {
  readonly timestamp: number
  readonly signatures: ReadonlyArray<string>
}

/**
 * Reads a signature header: spaces around items, keys and values are
 * ignored, as are unknown schemes (`v0=`) and items without `=`;
 * `undefined` when there is no `t` (or more than one), when `t` is not a
 * whole number of seconds, or when there is no non-empty `v1`. The
 * signatures are taken as they are written; comparing them is the
 * verifier's work.
 *
 * @since 0.2.0
 * @category signatures
 */
export const parseSignatureHeader = (header: string): SignatureHeader | undefined => {
  if (typeof header !== "string") return undefined
  let timestamp: number | undefined
  let timestamps = 0
  const signatures: Array<string> = []
  for (const item of header.split(",")) {
    const equals = item.indexOf("=")
    if (equals < 0) continue
    const key = item.slice(0, equals).trim()
    const value = item.slice(equals + 1).trim()
    if (key === "t") {
      timestamps++
      timestamp = /^\d{1,15}$/.test(value) ? Number(value) : undefined
    } else if (key === "v1" && value.length > 0) {
      signatures.push(value)
    }
  }
  if (timestamps !== 1 || timestamp === undefined || signatures.length === 0) return undefined
  return { timestamp, signatures }
}
