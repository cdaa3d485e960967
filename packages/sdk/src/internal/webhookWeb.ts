/**
 * `verifyWebhook` where there is no `node:crypto`: HMAC-SHA256 by
 * WebCrypto (`crypto.subtle`), each signature compared in time that
 * depends on its length only.
 */
import type { WebhookVerifier } from "../Webhooks.js"
import { conclude, equalBytes, prepare } from "./webhook.js"

const utf8 = new TextEncoder()

export const verifyWebhookWeb: WebhookVerifier<Promise<boolean>> = async (body, header, secret, options) => {
  const signed = prepare(body, header, secret, options)
  const prefix = utf8.encode(signed.prefix)
  const content = typeof signed.body === "string" ? utf8.encode(signed.body) : signed.body
  const payload = new Uint8Array(prefix.byteLength + content.byteLength)
  payload.set(prefix, 0)
  payload.set(content, prefix.byteLength)
  let matched = false
  for (const secretText of signed.secrets) {
    const key = await crypto.subtle.importKey(
      "raw",
      utf8.encode(secretText),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"]
    )
    const expected = new Uint8Array(await crypto.subtle.sign("HMAC", key, payload))
    for (const signature of signed.signatures) {
      if (equalBytes(expected, signature)) matched = true
    }
  }
  return conclude(matched, signed)
}
