import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import { WebhookDelivery, WebhookEndpointInput, WebhookEvent, WebhookRotateInput } from "../src/Webhooks.js"

const event = {
  id: "evt_0123456789abcdef01234567",
  type: "usage.threshold_crossed",
  created: "2025-03-14T10:00:00.000Z",
  data: {
    reseller: "acme",
    customer: "bob",
    cycle: { start: "2025-03-01", end: "2025-03-31" },
    threshold: 80,
    creditsUsed: 850,
    creditsAllowed: 1000,
    timeZone: "Europe/Berlin"
  }
}

describe("Webhooks", () => {
  it("reads the event a delivery carries, with a percentage or overage as its threshold", () => {
    const decode = Schema.decodeUnknownExit(WebhookEvent)
    assert.isTrue(decode(event)._tag === "Success")
    assert.isTrue(decode({ ...event, data: { ...event.data, threshold: "overage" } })._tag === "Success")
    assert.isTrue(decode({ ...event, type: "usage.other" })._tag === "Failure")
    assert.isTrue(
      decode({ ...event, data: { ...event.data, cycle: { start: "2025-02-30", end: "x" } } })._tag === "Failure"
    )
  })

  it("wants at least one known event type per endpoint; resellers and enabled are optional", () => {
    const decode = Schema.decodeUnknownExit(WebhookEndpointInput)
    assert.isTrue(decode({ url: "https://example.com/h", events: ["usage.threshold_crossed"] })._tag === "Success")
    assert.isTrue(
      decode({ url: "https://example.com/h", events: ["usage.threshold_crossed"], resellers: ["acme"], enabled: false })
        ._tag === "Success"
    )
    assert.isTrue(decode({ url: "https://example.com/h", events: [] })._tag === "Failure")
    assert.isTrue(decode({ url: "https://example.com/h", events: ["invoice.paid"] })._tag === "Failure")
    assert.isTrue(decode({ events: ["usage.threshold_crossed"] })._tag === "Failure")
  })

  it("bounds a rotation's grace period to 0 .. 30 days", () => {
    const decode = Schema.decodeUnknownExit(WebhookRotateInput)
    assert.isTrue(decode({})._tag === "Success")
    assert.isTrue(decode({ graceSeconds: 0 })._tag === "Success")
    assert.isTrue(decode({ graceSeconds: 30 * 86_400 + 1 })._tag === "Failure")
    assert.isTrue(decode({ graceSeconds: -1 })._tag === "Failure")
  })

  it("lists a delivery with its status and event", () => {
    const decode = Schema.decodeUnknownExit(WebhookDelivery)
    const delivery = {
      id: "dlv_1",
      eventId: event.id,
      type: "usage.threshold_crossed",
      status: "pending",
      attempts: 2,
      lastStatus: 500,
      lastError: "answered 500",
      nextAttemptAt: "2025-03-14T10:00:05.000Z",
      createdAt: "2025-03-14T10:00:00.000Z",
      event
    }
    assert.isTrue(decode(delivery)._tag === "Success")
    assert.isTrue(decode({ ...delivery, status: "lost" })._tag === "Failure")
  })
})
