/**
 * `verifyWebhook` apart from its HMAC: the header read with core's
 * `parseSignatureHeader`, the secrets and options checked, the signed
 * timestamp compared with the tolerance once a signature matched, and the
 * Effect form. Each entry point brings the HMAC comparison of its runtime
 * (`node:crypto` on Node, WebCrypto elsewhere).
 */
import { parseSignatureHeader, signaturePayload, webhookSignatureHeader } from "@account-overview/core"
import { Effect } from "effect"
import { ConfigurationError } from "../Errors.js"
import {
  type VerifyWebhookOptions,
  type WebhookBody,
  type WebhookSecret,
  WebhookSignatureInvalid,
  type WebhookVerifier
} from "../Webhooks.js"

/** A delivery ready for the HMAC: what is signed (`<t>.` then the body), the secrets, the signatures. */
export interface Signed {
  /** `<t>.`, the part of the signed payload before the body. */
  readonly prefix: string
  readonly body: WebhookBody
  readonly secrets: ReadonlyArray<string>
  /** The header's `v1` signatures that can be signatures at all (64 hex digits), as bytes. */
  readonly signatures: ReadonlyArray<Uint8Array>
  readonly timestamp: number
  readonly nowSeconds: number
  readonly tolerance: number
}

const hex64 = /^[0-9a-fA-F]{64}$/

const bytesOfHex = (hex: string): Uint8Array => {
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

const checkSecrets = (secret: WebhookSecret): ReadonlyArray<string> => {
  const secrets = typeof secret === "string" ? [secret] : secret
  if (!Array.isArray(secrets) || secrets.length === 0) throw new ConfigurationError("secret", "must be given")
  for (const s of secrets) {
    if (typeof s !== "string" || s.length === 0) throw new ConfigurationError("secret", "must be non-empty strings")
  }
  return secrets
}

const nowSecondsOf = (now: VerifyWebhookOptions["now"]): number => {
  const ms = now === undefined ? Date.now() : typeof now === "number" ? now : now.getTime()
  if (!Number.isFinite(ms)) throw new ConfigurationError("now", "must be a valid time")
  return Math.floor(ms / 1000)
}

/** Throws `WebhookSignatureInvalid` (`MalformedHeader`) or `ConfigurationError`. */
export const prepare = (
  body: WebhookBody,
  header: string | null | undefined,
  secret: WebhookSecret,
  options: VerifyWebhookOptions | undefined
): Signed => {
  if (typeof body !== "string" && !(body instanceof Uint8Array)) {
    throw new ConfigurationError("body", "must be the raw body, a string or bytes")
  }
  const secrets = checkSecrets(secret)
  const tolerance = options?.tolerance ?? 300
  if (typeof tolerance !== "number" || Number.isNaN(tolerance) || tolerance < 0) {
    throw new ConfigurationError("tolerance", "must be a number of seconds, 0 or more")
  }
  const nowSeconds = nowSecondsOf(options?.now)
  const parsed = typeof header === "string" ? parseSignatureHeader(header) : undefined
  if (parsed === undefined) {
    throw new WebhookSignatureInvalid(
      "MalformedHeader",
      header === undefined || header === null || header === ""
        ? `no ${webhookSignatureHeader} header`
        : `the ${webhookSignatureHeader} header needs t=<unix seconds> and at least one v1=<signature>`
    )
  }
  return {
    prefix: signaturePayload(parsed.timestamp, ""),
    body,
    secrets,
    signatures: parsed.signatures.filter((s) => hex64.test(s)).map(bytesOfHex),
    timestamp: parsed.timestamp,
    nowSeconds,
    tolerance
  }
}

/** `false` when no signature matched; `true` when one did within the tolerance; else throws `TimestampOutsideTolerance`. */
export const conclude = (matched: boolean, signed: Signed): boolean => {
  if (!matched) return false
  const age = signed.nowSeconds - signed.timestamp
  if (Math.abs(age) > signed.tolerance) {
    throw new WebhookSignatureInvalid(
      "TimestampOutsideTolerance",
      `the delivery was signed ${Math.abs(age)} s ${age >= 0 ? "ago" : "ahead of this clock"}, more than the tolerance of ${signed.tolerance} s`,
      signed.timestamp
    )
  }
  return true
}

/** Compares two equal-length byte arrays in time that depends on their length only. */
export const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.byteLength !== b.byteLength) return false
  let difference = 0
  for (let i = 0; i < a.byteLength; i++) difference |= a[i]! ^ b[i]!
  return difference === 0
}

/**
 * The Effect form of a `verifyWebhook`: `WebhookSignatureInvalid` as its
 * failure, a `ConfigurationError` (a bad secret or option) as a defect;
 * synchronous when `verify` is.
 */
export const effectForm =
  (
    verify: WebhookVerifier<boolean | Promise<boolean>>
  ): WebhookVerifier<Effect.Effect<boolean, WebhookSignatureInvalid>> =>
  (body, header, secret, options) =>
    Effect.try({ try: () => verify(body, header, secret, options), catch: (error) => error }).pipe(
      Effect.flatMap((answer) =>
        typeof answer === "boolean"
          ? Effect.succeed(answer)
          : Effect.tryPromise({ try: () => answer, catch: (error) => error })
      ),
      Effect.catch((error) => (error instanceof WebhookSignatureInvalid ? Effect.fail(error) : Effect.die(error)))
    )
