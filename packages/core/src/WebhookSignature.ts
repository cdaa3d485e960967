/**
 * The signature of a webhook delivery, Stripe's scheme: the header
 * `AO-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`
 * with one `v1=` per valid secret. Pure: the HMAC is computed by the caller.
 *
 * @since 0.3.0
 */

/**
 * The name of the signature header.
 *
 * @since 0.3.0
 * @category constants
 */
export const webhookSignatureHeader = "AO-Signature"

/**
 * The string that is signed: `<timestamp>.<raw body>`.
 *
 * @since 0.3.0
 * @category constructors
 */
export const signaturePayload = (timestamp: number, body: string): string => `${timestamp}.${body}`

/**
 * The header's value for a timestamp and the hex signatures (newest secret
 * first).
 *
 * @since 0.3.0
 * @category constructors
 */
export const formatSignatureHeader = (timestamp: number, signatures: ReadonlyArray<string>): string =>
  [`t=${timestamp}`, ...signatures.map((signature) => `v1=${signature}`)].join(",")

/**
 * The timestamp and `v1` signatures of a header's value, or `undefined` when
 * it has no valid `t=` or no `v1=`. Other schemes are ignored.
 *
 * @since 0.3.0
 * @category parsers
 */
export const parseSignatureHeader = (
  header: string
): { timestamp: number; signatures: ReadonlyArray<string> } | undefined => {
  let timestamp: number | undefined
  const signatures: Array<string> = []
  for (const part of header.split(",")) {
    const eq = part.indexOf("=")
    if (eq < 0) continue
    const key = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (key === "t") {
      if (!/^\d{1,15}$/.test(value)) return undefined
      timestamp = Number(value)
    } else if (key === "v1" && value.length > 0) {
      signatures.push(value)
    }
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures }
}
