import { assert, describe, it } from "@effect/vitest"
import {
  formatSignatureHeader,
  parseSignatureHeader,
  signaturePayload,
  webhookSignatureHeader
} from "../src/WebhookSignature.js"

const a = "5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd"
const b = "0b2f3c8a71d0e0e3b3f1a4d2c6a1e9f0a2b3c4d5e6f708192a3b4c5d6e7f8091"

describe("WebhookSignature", () => {
  it("names the header and signs the timestamp with the raw body", () => {
    assert.strictEqual(webhookSignatureHeader, "AO-Signature")
    assert.strictEqual(signaturePayload(1700000000, '{"id":"evt_1"}'), '1700000000.{"id":"evt_1"}')
    assert.strictEqual(signaturePayload(1, ""), "1.")
  })

  it("formats t first, then one v1 per signature in order", () => {
    assert.strictEqual(formatSignatureHeader(1700000000, [a]), `t=1700000000,v1=${a}`)
    assert.strictEqual(formatSignatureHeader(1700000000, [a, b]), `t=1700000000,v1=${a},v1=${b}`)
  })

  it("reads back what it formats", () => {
    assert.deepStrictEqual(parseSignatureHeader(formatSignatureHeader(1700000000, [a, b])), {
      timestamp: 1700000000,
      signatures: [a, b]
    })
  })

  it("tolerates spaces and another order, and ignores unknown schemes and stray items", () => {
    assert.deepStrictEqual(parseSignatureHeader(` v0=old , v1 = ${a} ,t= 1700000000 ,junk, v2=x`), {
      timestamp: 1700000000,
      signatures: [a]
    })
  })

  it("is undefined without a single whole-number t or without a v1", () => {
    for (const header of [
      "",
      `v1=${a}`,
      `t=,v1=${a}`,
      `t=-1,v1=${a}`,
      `t=1.5,v1=${a}`,
      `t=1e9,v1=${a}`,
      `t=abc,v1=${a}`,
      `t=1700000000,t=1700000001,v1=${a}`,
      "t=1700000000",
      "t=1700000000,v1=",
      "t=1700000000,v0=abc",
      `t=1234567890123456,v1=${a}`
    ]) {
      assert.isUndefined(parseSignatureHeader(header), header)
    }
  })
})
