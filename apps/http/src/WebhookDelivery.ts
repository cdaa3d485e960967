/**
 * The webhook delivery worker (decision 0110): a fiber started with the
 * server that leases due deliveries from the store (`LedgerWebhooks.claim`:
 * one instance at a time per delivery), `POST`s each signed event with a
 * timeout per attempt and no redirects followed, and records the outcome:
 * delivered on a 2xx, otherwise retried with exponential backoff and full
 * jitter until the retry window ends, then failed. Woken right after an
 * ingestion of this instance commits; polls for the work of other
 * instances every `WEBHOOK_POLL_MS`.
 *
 * @since 0.2.0
 */
import { createHmac } from "node:crypto"
import { request as httpRequest, type IncomingMessage } from "node:http"
import { request as httpsRequest } from "node:https"
import {
  formatSignatureHeader,
  signaturePayload,
  webhookEventIdHeader,
  webhookSignatureHeader
} from "@account-overview/core"
import { type ClaimedDelivery, type DeliveryOutcome, LedgerWebhooks } from "@account-overview/store"
import { Context, Effect, Layer, Option, Queue } from "effect"
import { Metrics } from "./Metrics.js"
import { Settings } from "./Settings.js"
import { serviceVersion } from "./Version.js"
import { guardedLookup, type WebhookHosts, webhookUrlProblem } from "./WebhookTargets.js"

/**
 * The `User-Agent` of every delivery.
 *
 * @since 0.2.0
 * @category constants
 */
export const webhookUserAgent = `account-overview-webhooks/${serviceVersion}`

/**
 * The header value of `AO-Signature` for `body` at `timestamp` (unix
 * seconds): one `v1=` per secret, in the order given.
 *
 * @since 0.2.0
 * @category signing
 */
export const signatureHeader = (timestamp: number, body: string, secrets: ReadonlyArray<string>): string =>
  formatSignatureHeader(
    timestamp,
    secrets.map((secret) => createHmac("sha256", secret).update(signaturePayload(timestamp, body)).digest("hex"))
  )

/**
 * The delay before the next attempt after `attempts` failed ones: a random
 * delay from 0 to `min(max, base * 2^(attempts - 1))` (full jitter).
 *
 * @since 0.2.0
 * @category retries
 */
export const backoffDelay = (attempts: number, base: number, max: number, random: number): number =>
  Math.floor(random * Math.min(max, base * 2 ** Math.min(Math.max(attempts - 1, 0), 40)))

/** What one attempt got: a status, or why there was none. */
interface Answer {
  readonly status?: number
  readonly error?: string
}

const maxErrorLength = 300

/**
 * One attempt: `POST` the body to the URL, resolve its name through the
 * guarded lookup, give up after `timeoutMs`. Never follows a redirect (a
 * 3xx is an answer like any other non-2xx).
 */
const post = (
  delivery: ClaimedDelivery,
  hosts: WebhookHosts,
  timeoutMs: number,
  signal: AbortSignal
): Promise<Answer> =>
  new Promise((resolve) => {
    const problem = webhookUrlProblem(hosts, delivery.url)
    if (problem !== undefined) return resolve({ error: `refused: ${problem}` })
    const url = new URL(delivery.url)
    const body = Buffer.from(delivery.body, "utf8")
    const timestamp = Math.floor(Date.now() / 1000)
    let settled = false
    const done = (answer: Answer) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(answer)
    }
    const send = url.protocol === "https:" ? httpsRequest : httpRequest
    const req = send(
      url,
      {
        method: "POST",
        lookup: guardedLookup(hosts),
        signal,
        headers: {
          "content-type": "application/json",
          "content-length": String(body.length),
          "user-agent": webhookUserAgent,
          [webhookSignatureHeader.toLowerCase()]: signatureHeader(timestamp, delivery.body, delivery.secrets),
          [webhookEventIdHeader.toLowerCase()]: delivery.eventId
        }
      },
      (response: IncomingMessage) => {
        // The answer's body is read and dropped: only the status counts.
        response.on("data", () => {})
        response.on("end", () => done({ status: response.statusCode ?? 0 }))
        response.on("error", () => done({ status: response.statusCode ?? 0 }))
      }
    )
    const timer = setTimeout(() => {
      done({ error: `no answer within ${timeoutMs} ms` })
      req.destroy()
    }, timeoutMs)
    req.on("error", (error: NodeJS.ErrnoException) => {
      const message = error.code === "EWEBHOOKREFUSED" ? error.message : (error.code ?? error.message)
      done({ error: String(message).slice(0, maxErrorLength) })
    })
    req.end(body)
  })

/**
 * The worker's handle: `wake` makes it look for due deliveries now.
 *
 * @since 0.2.0
 * @category services
 */
export class WebhookDelivery extends Context.Service<WebhookDelivery, { readonly wake: Effect.Effect<void> }>()(
  "@account-overview/http/WebhookDelivery"
) {
  /**
   * The worker, started with the layer and stopped with its scope; idle
   * (and `wake` a no-op) over a ledger without webhooks.
   *
   * @since 0.2.0
   * @category layers
   */
  static readonly layer: Layer.Layer<WebhookDelivery, never, Settings | Metrics> = Layer.effect(
    WebhookDelivery,
    Effect.gen(function* () {
      const settings = yield* Settings
      const metrics = yield* Metrics
      const store = Option.getOrUndefined(yield* Effect.serviceOption(LedgerWebhooks))
      const wakeups = yield* Queue.sliding<void>(1)
      const wake = Queue.offer(wakeups, undefined).pipe(Effect.asVoid)
      if (store === undefined) return WebhookDelivery.of({ wake: Effect.void })

      const batch = 16
      const leaseMillis = settings.webhookTimeoutMs * 2 + 5_000

      const outcomeOf = (delivery: ClaimedDelivery, answer: Answer, at: number): DeliveryOutcome => {
        if (answer.status !== undefined && answer.status >= 200 && answer.status < 300) {
          return { status: "delivered", at, lastStatus: answer.status }
        }
        const lastError =
          answer.error ??
          (answer.status !== undefined && answer.status >= 300 && answer.status < 400
            ? `answered ${answer.status}; redirects are not followed`
            : `answered ${answer.status}`)
        const delay = backoffDelay(
          delivery.attempts + 1,
          settings.webhookBackoffBaseMs,
          settings.webhookBackoffMaxMs,
          Math.random()
        )
        const next = at + delay
        return next > delivery.retryFrom + settings.webhookRetryWindowMs
          ? { status: "failed", at, lastStatus: answer.status, lastError }
          : { status: "pending", at, lastStatus: answer.status, lastError, nextAttemptAt: next }
      }

      const attempt = (delivery: ClaimedDelivery) =>
        Effect.gen(function* () {
          const answer = yield* Effect.promise((signal) =>
            post(delivery, settings.webhookAllowedHosts, settings.webhookTimeoutMs, signal)
          )
          const outcome = outcomeOf(delivery, answer, Date.now())
          yield* store.complete(delivery, outcome)
          if (outcome.status !== "pending") metrics.webhookDelivery(outcome.status)
          yield* Effect.logDebug("webhook attempt").pipe(
            Effect.annotateLogs({
              delivery: delivery.id,
              event: delivery.eventId,
              status: outcome.status,
              answered: answer.status ?? null
            })
          )
        })

      const backlog = Effect.gen(function* () {
        const stats = yield* store.stats()
        const age =
          stats.oldestPendingSince === undefined ? 0 : Math.max(0, (Date.now() - stats.oldestPendingSince) / 1000)
        metrics.webhookBacklog(stats.pending, age)
      })

      const round = Effect.gen(function* () {
        const claimed = yield* store.claim({ limit: batch, leaseMillis })
        yield* Effect.forEach(claimed, attempt, { concurrency: 8, discard: true })
        yield* backlog
        return claimed.length
      }).pipe(
        Effect.catchTag("Unavailable", () =>
          Effect.as(Effect.logWarning("webhook deliveries: the store is unavailable, retrying"), 0)
        )
      )

      const loop = Effect.gen(function* () {
        while (true) {
          const claimed = yield* round
          if (claimed < batch) yield* Effect.timeoutOption(Queue.take(wakeups), settings.webhookPollMs)
        }
      })
      yield* Effect.forkScoped(loop)
      return WebhookDelivery.of({ wake })
    })
  )
}
