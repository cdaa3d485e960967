// The operator client's webhooks calls and verifyWebhook against the microservice: the service
// delivers signed usage.threshold_crossed events to a receiver on loopback, and the SDK's helper
// verifies them as they were received, before and during a secret rotation.
import http from "node:http"
import type { AddressInfo } from "node:net"
import type { WebhookEvent } from "@account-overview/core"
import { parseWebhookHosts } from "@account-overview/http"
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as FetchEntry from "../../src/fetch.js"
import {
  createOperatorClient,
  NotFoundError,
  OperatorClient,
  verifyWebhook,
  verifyWebhookEffect
} from "../../src/index.js"
import { adminToken, baseUrl, serviceLayerWith } from "./service.js"

interface Received {
  readonly headers: http.IncomingHttpHeaders
  readonly body: Buffer
}

/** A receiver on loopback: records each delivery and answers 204; `received(n)` waits for n of them. */
const receiver = Effect.acquireRelease(
  Effect.callback<{ url: string; requests: Array<Received>; wake: Set<() => void>; server: http.Server }>((resume) => {
    const requests: Array<Received> = []
    const wake = new Set<() => void>()
    const server = http.createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        requests.push({ headers: req.headers, body: Buffer.concat(chunks) })
        res.writeHead(204).end()
        for (const f of wake) f()
      })
    })
    server.listen(0, "127.0.0.1", () =>
      resume(
        Effect.succeed({
          url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
          requests,
          wake,
          server
        })
      )
    )
  }),
  ({ server }) =>
    Effect.callback<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
)

const received = (hook: Effect.Success<typeof receiver>, n: number) =>
  Effect.callback<ReadonlyArray<Received>>((resume) => {
    const check = () => {
      if (hook.requests.length >= n) {
        hook.wake.delete(check)
        resume(Effect.succeed(hook.requests.slice(0, n)))
      }
    }
    hook.wake.add(check)
    check()
    return Effect.sync(() => hook.wake.delete(check))
  })

const hosts = parseWebhookHosts("127.0.0.1")
if ("_tag" in hosts) throw new Error(hosts.message)

const Service = serviceLayerWith({ webhookAllowedHosts: hosts, webhookPollMs: 50 })

layer(Service, { timeout: 120_000, excludeTestServices: true })("webhooks against the microservice", (it) => {
  it.effect(
    "deliveries verify with the endpoint's secret; a rotation signs with both; the log and redeliver",
    () =>
      Effect.gen(function* () {
        const url = yield* baseUrl
        const hook = yield* receiver
        const operator = createOperatorClient({ baseUrl: url, adminToken, env: {} })
        const endpoint = yield* Effect.promise(() =>
          operator.webhooks.set("contract", { url: hook.url, events: ["usage.threshold_crossed"] })
        )
        const secret = endpoint.secret!
        assert.match(secret, /^whsec_/)
        const again = yield* Effect.promise(() =>
          operator.webhooks.set("contract", { url: hook.url, events: ["usage.threshold_crossed"] })
        )
        assert.isUndefined(again.secret, "the secret is shown once")
        assert.deepStrictEqual(
          (yield* Effect.promise(() => operator.webhooks.list())).map((e) => e.id),
          ["contract"]
        )

        yield* Effect.promise(() => operator.packages.set("Hooks", { credits: 100 }))
        yield* Effect.promise(() => operator.resellers.set("hooks-reseller", { apiKey: "hooks-key-0123456789" }))
        yield* Effect.promise(() =>
          operator.customers.set("hooked@example.com", {
            reseller: "hooks-reseller",
            package: "Hooks",
            billingAnchor: "2024-01-01",
            reputation: 100
          })
        )
        const ingest = (id: string, credits: number) =>
          Effect.promise(() =>
            operator.ingest([
              { id, user: "hooked@example.com", requests: 1, credits, occurredAt: new Date().toISOString() }
            ])
          )
        yield* ingest("h-1", 85)
        const [first] = yield* received(hook, 1)
        const header = first!.headers["ao-signature"] as string
        assert.isTrue(verifyWebhook(first!.body, header, secret))
        assert.isTrue(verifyWebhook(first!.body.toString("utf8"), header, secret))
        assert.isTrue(yield* Effect.promise(() => FetchEntry.verifyWebhook(first!.body, header, secret)))
        assert.isFalse(verifyWebhook(first!.body, header, "whsec_not-this-one"))
        const event = JSON.parse(first!.body.toString("utf8")) as WebhookEvent
        assert.strictEqual(first!.headers["ao-event-id"], event.id)
        assert.strictEqual(event.type, "usage.threshold_crossed")
        assert.strictEqual(event.data.customer, "hooked@example.com")
        assert.strictEqual(event.data.threshold, 80)

        const rotation = yield* Effect.promise(() => operator.webhooks.rotateSecret("contract", { graceSeconds: 600 }))
        assert.notStrictEqual(rotation.secret, secret)
        yield* ingest("h-2", 20)
        const [, second] = yield* received(hook, 2)
        const rotated = second!.headers["ao-signature"] as string
        assert.strictEqual(rotated.split(",").filter((part) => part.startsWith("v1=")).length, 2)
        assert.isTrue(verifyWebhook(second!.body, rotated, rotation.secret), "the new secret")
        assert.isTrue(verifyWebhook(second!.body, rotated, secret), "the old one, within the grace period")
        assert.strictEqual((JSON.parse(second!.body.toString("utf8")) as WebhookEvent).data.threshold, 100)

        // The Effect face: the log, newest first, and a redelivery with the same event id.
        const client = yield* Effect.provide(
          Effect.service(OperatorClient),
          OperatorClient.layer({ baseUrl: url, adminToken, env: {} })
        )
        const log = yield* client.webhooks.deliveries("contract", { limit: 10 })
        assert.deepStrictEqual(
          log.items.map((d) => d.event.data.threshold),
          [100, 80]
        )
        const oldest = log.items[1]!
        const { data: queued, response } = yield* client.withResponse.webhooks.redeliver("contract", oldest.id)
        assert.strictEqual(response.status, 200)
        assert.strictEqual(queued.eventId, event.id)
        const [, , third] = yield* received(hook, 3)
        assert.strictEqual(third!.headers["ao-event-id"], event.id)
        assert.isTrue(
          yield* verifyWebhookEffect(third!.body, third!.headers["ao-signature"] as string, rotation.secret)
        )

        yield* Effect.promise(() => operator.webhooks.remove("contract"))
        const gone = yield* Effect.flip(client.webhooks.get("contract"))
        assert.instanceOf(gone, NotFoundError)
        assert.strictEqual(gone.path, "/v1/webhooks/contract")
      }),
    { timeout: 60_000 }
  )
})
