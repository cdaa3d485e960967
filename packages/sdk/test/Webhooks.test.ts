// verifyWebhook of both entry points (src/internal/webhook.ts, webhookNode.ts over node:crypto,
// webhookWeb.ts over WebCrypto) against signatures made here with node:crypto, as the service
// makes them: lower-case hex HMAC-SHA256 of `<t>.<raw body>`.
import { createHmac } from "node:crypto"
import { formatSignatureHeader } from "@account-overview/core"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import * as FetchEntry from "../src/fetch.js"
import * as NodeEntry from "../src/index.js"
import { ConfigurationError, WebhookSignatureInvalid, type WebhookSignatureReason } from "../src/index.js"

const secret = "whsec_test_0123456789abcdef"
const oldSecret = "whsec_test_old_fedcba9876543210"
const now = Date.UTC(2026, 11, 2, 1, 0, 0)
const t = Math.floor(now / 1000)
const body = JSON.stringify({
  id: "evt_1",
  type: "usage.threshold_crossed",
  created: "2026-12-02T01:00:00.000Z",
  data: {
    reseller: "acme",
    customer: "alice@example.com",
    cycle: { start: "2026-11-15", end: "2026-12-14" },
    threshold: 80,
    creditsUsed: 85,
    creditsAllowed: 100,
    timeZone: "Europe/Berlin"
  }
})

const sign = (key: string, timestamp: number, content: string | Uint8Array) =>
  createHmac("sha256", key).update(`${timestamp}.`).update(content).digest("hex")
const header = (key: string, timestamp = t, content: string | Uint8Array = body) =>
  formatSignatureHeader(timestamp, [sign(key, timestamp, content)])

const entries = {
  node: NodeEntry.verifyWebhook,
  fetch: FetchEntry.verifyWebhook
}

/** What a call answered: the boolean, or the reason of the error it threw. */
const outcome = async (run: () => boolean | Promise<boolean>): Promise<boolean | WebhookSignatureReason | string> => {
  try {
    return await run()
  } catch (error) {
    if (error instanceof WebhookSignatureInvalid) return error.reason
    if (error instanceof ConfigurationError) return `ConfigurationError ${error.setting}`
    throw error
  }
}

for (const [entry, verifyWebhook] of Object.entries(entries)) {
  describe(`verifyWebhook (${entry} entry)`, () => {
    it("is true for a genuine delivery, the body as text or as the bytes received", async () => {
      assert.strictEqual(await outcome(() => verifyWebhook(body, header(secret), secret, { now })), true)
      const bytes = new TextEncoder().encode(body)
      assert.strictEqual(await outcome(() => verifyWebhook(bytes, header(secret), secret, { now })), true)
      assert.strictEqual(await outcome(() => verifyWebhook(Buffer.from(body), header(secret), secret, { now })), true)
      assert.strictEqual(
        await outcome(() => verifyWebhook(body, header(secret), [secret], { now: new Date(now) })),
        true
      )
    })

    it("signs the UTF-8 bytes of a body with non-ASCII characters; bytes that are not UTF-8 are signed as they are", async () => {
      const text = body.replace("alice@example.com", "jürgen@bücher.example 日本 🎉")
      assert.strictEqual(await outcome(() => verifyWebhook(text, header(secret, t, text), secret, { now })), true)
      const utf8 = new TextEncoder().encode(text)
      assert.strictEqual(await outcome(() => verifyWebhook(utf8, header(secret, t, text), secret, { now })), true)
      // Latin-1 bytes of the same text are another body.
      const latin1 = Buffer.from(body.replace("alice", "j\u00fcrgen"), "latin1")
      assert.strictEqual(await outcome(() => verifyWebhook(latin1, header(secret, t, latin1), secret, { now })), true)
      assert.strictEqual(
        await outcome(() =>
          verifyWebhook(body.replace("alice", "j\u00fcrgen"), header(secret, t, latin1), secret, { now })
        ),
        false
      )
    })

    it("is false for a changed body, a wrong secret or a changed timestamp", async () => {
      const tampered = body.replace('"creditsUsed":85', '"creditsUsed":5')
      assert.strictEqual(await outcome(() => verifyWebhook(tampered, header(secret), secret, { now })), false)
      assert.strictEqual(await outcome(() => verifyWebhook(`${body} `, header(secret), secret, { now })), false)
      assert.strictEqual(await outcome(() => verifyWebhook(body, header("whsec_other"), secret, { now })), false)
      const moved = header(secret).replace(`t=${t}`, `t=${t + 1}`)
      assert.strictEqual(await outcome(() => verifyWebhook(body, moved, secret, { now })), false)
      const short = formatSignatureHeader(t, [sign(secret, t, body).slice(0, 63)])
      assert.strictEqual(await outcome(() => verifyWebhook(body, short, secret, { now })), false)
    })

    it("refuses a genuine signature out of the tolerance, in the past or the future", async () => {
      const old = header(secret, t - 301)
      assert.strictEqual(await outcome(() => verifyWebhook(body, old, secret, { now })), "TimestampOutsideTolerance")
      assert.strictEqual(await outcome(() => verifyWebhook(body, header(secret, t - 300), secret, { now })), true)
      const future = header(secret, t + 301)
      assert.strictEqual(await outcome(() => verifyWebhook(body, future, secret, { now })), "TimestampOutsideTolerance")
      assert.strictEqual(await outcome(() => verifyWebhook(body, old, secret, { now, tolerance: 600 })), true)
      assert.strictEqual(
        await outcome(() => verifyWebhook(body, header(secret, 1), secret, { tolerance: Infinity })),
        true
      )
      // A wrong signature is false whatever its timestamp: the tolerance speaks only of genuine ones.
      assert.strictEqual(await outcome(() => verifyWebhook(body, header("whsec_other", 1), secret, { now })), false)
      try {
        await verifyWebhook(body, old, secret, { now })
        assert.fail("no error")
      } catch (error) {
        assert.instanceOf(error, WebhookSignatureInvalid)
        assert.strictEqual((error as WebhookSignatureInvalid).timestamp, t - 301)
        assert.include((error as Error).message, "301 s ago")
        assert.notInclude((error as Error).message, secret)
      }
    })

    it("takes either signature of a rotation, and either of the receiver's secrets", async () => {
      const both = formatSignatureHeader(t, [sign(secret, t, body), sign(oldSecret, t, body)])
      assert.strictEqual(await outcome(() => verifyWebhook(body, both, secret, { now })), true)
      assert.strictEqual(await outcome(() => verifyWebhook(body, both, oldSecret, { now })), true)
      assert.strictEqual(await outcome(() => verifyWebhook(body, both, "whsec_other", { now })), false)
      assert.strictEqual(
        await outcome(() => verifyWebhook(body, header(oldSecret), [secret, oldSecret], { now })),
        true
      )
      assert.strictEqual(await outcome(() => verifyWebhook(body, header(oldSecret), [secret], { now })), false)
    })

    it("throws MalformedHeader for a missing or unreadable header", async () => {
      const signature = sign(secret, t, body)
      for (const bad of [
        undefined,
        null,
        "",
        "garbage",
        `v1=${signature}`,
        `t=${t}`,
        `t=now,v1=${signature}`,
        `t=${t},v0=${signature}`
      ]) {
        assert.strictEqual(
          await outcome(() => verifyWebhook(body, bad, secret, { now })),
          "MalformedHeader",
          String(bad)
        )
      }
      // Readable, with a v1 that cannot be a signature: not genuine.
      assert.strictEqual(await outcome(() => verifyWebhook(body, `t=${t},v1=zz`, secret, { now })), false)
      // Spaces and unknown schemes are fine.
      const spaced = ` t = ${t} , v0=abc , v1= ${signature} `
      assert.strictEqual(await outcome(() => verifyWebhook(body, spaced, secret, { now })), true)
    })

    it("throws ConfigurationError for no secret or a bad option", async () => {
      assert.strictEqual(
        await outcome(() => verifyWebhook(body, header(secret), [], { now })),
        "ConfigurationError secret"
      )
      assert.strictEqual(
        await outcome(() => verifyWebhook(body, header(secret), "", { now })),
        "ConfigurationError secret"
      )
      assert.strictEqual(
        await outcome(() => verifyWebhook(body, header(secret), secret, { now, tolerance: -1 })),
        "ConfigurationError tolerance"
      )
      assert.strictEqual(
        await outcome(() => verifyWebhook(body, header(secret), secret, { now: Number.NaN })),
        "ConfigurationError now"
      )
    })
  })
}

describe("verifyWebhook's forms", () => {
  it("is synchronous on the Node entry and a Promise on the fetch entry", async () => {
    assert.strictEqual(NodeEntry.verifyWebhook(body, header(secret), secret, { now }), true)
    const answer = FetchEntry.verifyWebhook(body, header(secret), secret, { now })
    assert.instanceOf(answer, Promise)
    assert.strictEqual(await answer, true)
    // The Node entry's Effect form runs synchronously too.
    assert.isTrue(Effect.runSync(NodeEntry.verifyWebhookEffect(body, header(secret), secret, { now })))
  })

  it.effect("verifyWebhookEffect: the answer, WebhookSignatureInvalid as failure, ConfigurationError as defect", () =>
    Effect.gen(function* () {
      for (const verifyWebhookEffect of [NodeEntry.verifyWebhookEffect, FetchEntry.verifyWebhookEffect]) {
        assert.isTrue(yield* verifyWebhookEffect(body, header(secret), secret, { now }))
        assert.isFalse(yield* verifyWebhookEffect(body, header("whsec_other"), secret, { now }))
        const malformed = yield* Effect.flip(verifyWebhookEffect(body, undefined, secret, { now }))
        assert.strictEqual(malformed._tag, "WebhookSignatureInvalid")
        assert.strictEqual(malformed.reason, "MalformedHeader")
        const old = yield* verifyWebhookEffect(body, header(secret, t - 1000), secret, { now }).pipe(
          Effect.catchTag("WebhookSignatureInvalid", (error) => Effect.succeed(error.reason))
        )
        assert.strictEqual(old, "TimestampOutsideTolerance")
        const exit = yield* Effect.exit(verifyWebhookEffect(body, header(secret), [], { now }))
        assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
      }
    })
  )
})
