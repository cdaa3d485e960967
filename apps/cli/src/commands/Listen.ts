import { createHmac, randomBytes } from "node:crypto"
import {
  formatSignatureHeader,
  signaturePayload,
  type WebhookDelivery,
  type WebhookEvent,
  webhookEventIdHeader,
  webhookSignatureHeader
} from "@account-overview/core"
import * as Effect from "effect/Effect"
import type { ListenInput } from "../Cli.js"
import { type CliFailure, usageError } from "../CliFailure.js"
import { errLine, out, printWarning } from "../Io.js"
import { type OperatorClient, type OperatorError, withOperator } from "../Operator.js"
import { printableUrl } from "../Settings.js"

/**
 * `account-overview webhooks listen --forward-to URL`, for development (like
 * `stripe listen`): the service cannot reach a developer's machine, so the
 * command reads the delivery logs of the webhook endpoints through the
 * operator API every `--interval-ms`, and POSTs each event that was not in
 * them at start to the local URL, signed with a secret of this run
 * (printed at start) the way the service signs, so the receiver's code
 * verifies it with the SDK's `verifyWebhook`. Each event is forwarded once
 * per run, whatever the service's own delivery of it did; one line per
 * forwarded event on stdout. Runs until interrupted (^C: exit 130).
 */

/** Time allowed to the local receiver's answer. */
const forwardTimeoutMs = 10_000
/** Deliveries read per page of a log. */
const pageSize = 100

const checkForwardTo = (text: string): Effect.Effect<URL, CliFailure> => {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return Effect.fail(
      usageError(`--forward-to "${printableUrl(text)}" is not a URL, such as http://127.0.0.1:3000/hooks`)
    )
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Effect.fail(usageError(`--forward-to must be an http or https URL, not ${url.protocol}`))
  }
  return Effect.succeed(url)
}

/** The answer of the local receiver: its status, or why there was none. */
const forward = async (target: URL, secret: string, event: WebhookEvent): Promise<string> => {
  const body = JSON.stringify(event)
  const timestamp = Math.floor(Date.now() / 1000)
  const signature = createHmac("sha256", secret).update(signaturePayload(timestamp, body)).digest("hex")
  try {
    const response = await fetch(target, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [webhookSignatureHeader]: formatSignatureHeader(timestamp, [signature]),
        [webhookEventIdHeader]: event.id
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(forwardTimeoutMs)
    })
    await response.body?.cancel()
    return String(response.status)
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause
    if ((error as Error).name === "TimeoutError") return `no answer within ${forwardTimeoutMs} ms`
    return typeof cause?.code === "string" ? cause.code : (error as Error).message
  }
}

const line = (event: WebhookEvent, answer: string): string =>
  `${new Date().toISOString()}  ${event.type}  ${event.id}  ${event.data.customer}  threshold ${event.data.threshold}  -> ${answer}\n`

export const listen = (input: ListenInput): Effect.Effect<void, CliFailure> =>
  Effect.flatMap(checkForwardTo(input.forwardTo), (target) =>
    withOperator(
      input,
      {},
      Effect.fnUntraced(function* (client: OperatorClient) {
        const secret = `whsec_${randomBytes(24).toString("base64url")}`
        const seen = new Set<string>()
        let forwarded = 0

        /** The deliveries of an endpoint's log not seen yet, oldest first (the log is newest first). */
        const fresh = Effect.fnUntraced(function* (endpoint: string, followPages: boolean) {
          const found: Array<WebhookDelivery> = []
          let cursor: string | undefined
          for (;;) {
            const page = yield* client.webhooks.deliveries(endpoint, {
              limit: pageSize,
              ...(cursor === undefined ? {} : { cursor })
            })
            const unseen = page.items.findIndex((delivery) => seen.has(delivery.eventId))
            found.push(...(unseen === -1 ? page.items : page.items.slice(0, unseen)))
            cursor = page.nextCursor
            if (!followPages || unseen !== -1 || cursor === undefined || page.items.length === 0) break
          }
          return found.reverse()
        })

        const endpoints: Effect.Effect<ReadonlyArray<string>, OperatorError> = input.endpoints.length > 0
          ? Effect.succeed(input.endpoints)
          : Effect.map(client.webhooks.list(), (list) => list.map((endpoint) => endpoint.id))

        /** One read of the logs; with `send`, each new event is forwarded, else only remembered. */
        const poll = Effect.fnUntraced(function* (send: boolean) {
          for (const endpoint of yield* endpoints) {
            for (const delivery of yield* fresh(endpoint, send)) {
              if (seen.has(delivery.eventId)) continue
              seen.add(delivery.eventId)
              if (!send) continue
              const answer = yield* Effect.promise(() => forward(target, secret, delivery.event))
              forwarded += 1
              out(line(delivery.event, answer))
            }
          }
        })

        yield* poll(false)
        const watched = input.endpoints.length > 0 ? `endpoint ${input.endpoints.join(", ")}` : "every endpoint"
        errLine(
          `ready: forwarding the new events of ${watched} to ${printableUrl(target.href)}; your webhook signing secret is ${secret} (^C to stop)`
        )
        return yield* Effect.sleep(input.intervalMs).pipe(
          Effect.andThen(
            poll(true).pipe(
              Effect.catch((error: unknown) =>
                Effect.sync(() =>
                  printWarning(
                    `reading the delivery logs failed, trying again: ${String((error as Error).message ?? error)}`
                  )
                )
              )
            )
          ),
          Effect.forever,
          Effect.onInterrupt(() =>
            Effect.sync(() => errLine(`forwarded ${forwarded} event${forwarded === 1 ? "" : "s"}`))
          )
        )
      })
    )
  )
