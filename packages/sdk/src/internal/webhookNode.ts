/**
 * `verifyWebhook` on Node: HMAC-SHA256 by `node:crypto`, each signature
 * compared with `timingSafeEqual`.
 */
import { createHmac, timingSafeEqual } from "node:crypto"
import type { WebhookVerifier } from "../Webhooks.js"
import { conclude, prepare } from "./webhook.js"

export const verifyWebhookNode: WebhookVerifier<boolean> = (body, header, secret, options) => {
  const signed = prepare(body, header, secret, options)
  let matched = false
  for (const key of signed.secrets) {
    const expected = createHmac("sha256", key).update(signed.prefix).update(signed.body).digest()
    for (const signature of signed.signatures) {
      if (timingSafeEqual(expected, signature)) matched = true
    }
  }
  return conclude(matched, signed)
}
