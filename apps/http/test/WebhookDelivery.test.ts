import { createHmac } from "node:crypto"
import { assert, describe, it } from "@effect/vitest"
import { serviceVersion } from "../src/Version.js"
import { backoffDelay, signatureHeader, webhookUserAgent } from "../src/WebhookDelivery.js"

describe("WebhookDelivery", () => {
  it("signs t.body with HMAC-SHA256, one v1= per secret in the order given", () => {
    const body = '{"id":"evt_1"}'
    const header = signatureHeader(1_700_000_000, body, ["whsec_new", "whsec_old"])
    const mac = (secret: string) => createHmac("sha256", secret).update(`1700000000.${body}`).digest("hex")
    assert.strictEqual(header, `t=1700000000,v1=${mac("whsec_new")},v1=${mac("whsec_old")}`)
    assert.strictEqual(signatureHeader(1, "", ["s"]).split(",").length, 2)
  })

  it("backs off exponentially with full jitter, capped", () => {
    assert.strictEqual(backoffDelay(1, 5000, 3_600_000, 0.999_999), 4999)
    assert.strictEqual(backoffDelay(2, 5000, 3_600_000, 0.5), 5000)
    assert.strictEqual(backoffDelay(4, 5000, 3_600_000, 0.5), 20_000)
    assert.strictEqual(backoffDelay(40, 5000, 3_600_000, 0.5), 1_800_000)
    assert.strictEqual(backoffDelay(3, 5000, 3_600_000, 0), 0)
  })

  it("names itself with the service's version", () => {
    assert.strictEqual(webhookUserAgent, `account-overview-webhooks/${serviceVersion}`)
  })
})
