/**
 * The ledger's webhooks: endpoints with their signing secrets, the delivery
 * log, and the leases by which instances share the deliveries (PostgreSQL:
 * `FOR UPDATE SKIP LOCKED`; SQLite: a conditional update). The alerts
 * themselves are raised by `Ledger.ingest`, in the ingestion's transaction.
 *
 * @since 0.2.0
 */
import { randomBytes } from "node:crypto"
import type {
  Unavailable,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookEndpoint,
  WebhookEndpointInput,
  WebhookEvent,
  WebhookSecretRotation
} from "@account-overview/core"
import { Clock, Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient } from "effect/sql"
import * as Rows from "./internal/rows.js"

/**
 * A delivery leased by this instance: what it sends, where, signed with
 * which secrets (the current one first, then one in its grace period).
 *
 * @since 0.2.0
 * @category models
 */
export interface ClaimedDelivery {
  readonly seq: number
  readonly lease: string
  readonly id: string
  readonly eventId: string
  readonly body: string
  readonly url: string
  readonly secrets: ReadonlyArray<string>
  readonly attempts: number
  readonly retryFrom: number
}

/**
 * The outcome of one attempt: delivered, pending again at `nextAttemptAt`,
 * or failed for good.
 *
 * @since 0.2.0
 * @category models
 */
export interface DeliveryOutcome {
  readonly status: WebhookDeliveryStatus
  readonly at: number
  readonly lastStatus?: number | undefined
  readonly lastError?: string | undefined
  readonly nextAttemptAt?: number | undefined
}

/**
 * The deliveries waiting, and when the one waiting longest was queued.
 *
 * @since 0.2.0
 * @category models
 */
export interface DeliveryStats {
  readonly pending: number
  readonly oldestPendingSince: number | undefined
}

const EndpointRow = Schema.Struct({
  id: Schema.String,
  url: Schema.String,
  events: Schema.String,
  resellers: Schema.NullOr(Schema.String),
  enabled: Rows.DbNumber,
  previous_secret_expires_at: Schema.NullOr(Rows.DbNumber),
  created_at: Rows.DbNumber
})
const decodeEndpoints = Schema.decodeUnknownEffect(Schema.Array(EndpointRow))

const DeliveryRow = Schema.Struct({
  seq: Rows.DbNumber,
  id: Schema.String,
  alert_id: Schema.String,
  status: Schema.Literals(["pending", "delivered", "failed"]),
  attempts: Rows.DbNumber,
  last_status: Schema.NullOr(Rows.DbNumber),
  last_error: Schema.NullOr(Schema.String),
  next_attempt_at: Rows.DbNumber,
  delivered_at: Schema.NullOr(Rows.DbNumber),
  created_at: Rows.DbNumber,
  body: Schema.String
})
const decodeDeliveries = Schema.decodeUnknownEffect(Schema.Array(DeliveryRow))

const ClaimRow = Schema.Struct({
  seq: Rows.DbNumber,
  id: Schema.String,
  attempts: Rows.DbNumber,
  retry_from: Rows.DbNumber,
  event_id: Schema.String,
  body: Schema.String,
  url: Schema.String,
  secret: Schema.String,
  previous_secret: Schema.NullOr(Schema.String),
  previous_secret_expires_at: Schema.NullOr(Rows.DbNumber)
})
const decodeClaims = Schema.decodeUnknownEffect(Schema.Array(ClaimRow))

const StatsRow = Schema.Struct({ pending: Rows.DbNumber, oldest: Schema.NullOr(Rows.DbNumber) })
const decodeStats = Schema.decodeUnknownEffect(Schema.Array(StatsRow))

const iso = (millis: number): string => new Date(millis).toISOString()

/** A new signing secret: `whsec_` and 32 random bytes, base64url. */
const newSecret = (): string => `whsec_${randomBytes(32).toString("base64url")}`

const list = (column: string | null): ReadonlyArray<string> | undefined => {
  if (column === null) return undefined
  const parsed: unknown = JSON.parse(column)
  return Array.isArray(parsed) ? parsed.map(String) : undefined
}

const toEndpoint = (row: typeof EndpointRow.Type, now: number): WebhookEndpoint => {
  const endpoint: WebhookEndpoint = {
    id: row.id,
    url: row.url,
    events: (list(row.events) ?? []) as WebhookEndpoint["events"],
    enabled: row.enabled !== 0,
    createdAt: iso(row.created_at)
  }
  const resellers = list(row.resellers)
  const withResellers = resellers === undefined ? endpoint : { ...endpoint, resellers }
  return row.previous_secret_expires_at !== null && row.previous_secret_expires_at > now
    ? { ...withResellers, previousSecretExpiresAt: iso(row.previous_secret_expires_at) }
    : withResellers
}

const toDelivery = (row: typeof DeliveryRow.Type): WebhookDelivery => {
  const event = JSON.parse(row.body) as WebhookEvent
  return {
    id: row.id,
    eventId: row.alert_id,
    type: event.type,
    status: row.status,
    attempts: row.attempts,
    ...(row.last_status === null ? {} : { lastStatus: row.last_status }),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    ...(row.status === "pending" ? { nextAttemptAt: iso(row.next_attempt_at) } : {}),
    ...(row.delivered_at === null ? {} : { deliveredAt: iso(row.delivered_at) }),
    createdAt: iso(row.created_at),
    event
  }
}

const encodeCursor = (seq: number): string => Buffer.from(String(seq), "utf8").toString("base64url")
const decodeCursor = (cursor: string): number | undefined => {
  const text = Buffer.from(cursor, "base64url").toString("utf8")
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined
}

/**
 * The webhook store.
 *
 * @since 0.2.0
 * @category services
 */
export class LedgerWebhooks extends Context.Service<
  LedgerWebhooks,
  {
    /**
     * Creates or updates an endpoint; a new one gets a signing secret,
     * answered this once (`secret`). `created` says which.
     */
    readonly setEndpoint: (
      id: string,
      input: WebhookEndpointInput
    ) => Effect.Effect<{ readonly endpoint: WebhookEndpoint; readonly created: boolean }, Unavailable>
    readonly listEndpoints: () => Effect.Effect<ReadonlyArray<WebhookEndpoint>, Unavailable>
    readonly getEndpoint: (id: string) => Effect.Effect<Option.Option<WebhookEndpoint>, Unavailable>
    /** Deletes an endpoint and its deliveries. */
    readonly removeEndpoint: (id: string) => Effect.Effect<Option.Option<WebhookEndpoint>, Unavailable>
    /** A new secret; the old one keeps signing for `graceSeconds`. */
    readonly rotateSecret: (
      id: string,
      graceSeconds: number
    ) => Effect.Effect<Option.Option<WebhookSecretRotation>, Unavailable>
    /** An endpoint's deliveries, newest first. */
    readonly deliveries: (
      id: string,
      options: { readonly limit: number; readonly cursor?: string | undefined }
    ) => Effect.Effect<
      Option.Option<{ readonly items: ReadonlyArray<WebhookDelivery>; readonly nextCursor?: string }>,
      Unavailable
    >
    /** Queues a delivery again, due now, with a new retry window. */
    readonly redeliver: (id: string, deliveryId: string) => Effect.Effect<Option.Option<WebhookDelivery>, Unavailable>
    /**
     * Leases up to `limit` due deliveries of enabled endpoints for
     * `leaseMillis`: no other instance claims them before the lease ends.
     */
    readonly claim: (options: {
      readonly limit: number
      readonly leaseMillis: number
    }) => Effect.Effect<ReadonlyArray<ClaimedDelivery>, Unavailable>
    /** Records an attempt of a leased delivery; nothing when the lease was lost (a redelivery, an expiry). */
    readonly complete: (claimed: ClaimedDelivery, outcome: DeliveryOutcome) => Effect.Effect<void, Unavailable>
    readonly stats: () => Effect.Effect<DeliveryStats, Unavailable>
  }
>()("@account-overview/store/LedgerWebhooks") {
  /**
   * The service on the current `SqlClient` (SQLite or PostgreSQL), whose
   * ledger has run its migrations.
   *
   * @since 0.2.0
   * @category layers
   */
  static readonly layerSql: Layer.Layer<LedgerWebhooks, never, SqlClient.SqlClient> = Layer.effect(
    LedgerWebhooks,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const isPg = sql.onDialectOrElse({ pg: () => true, orElse: () => false })
      const now = Clock.currentTimeMillis

      const endpointColumns = sql.literal(
        "id, url, events, resellers, enabled, previous_secret_expires_at, created_at FROM webhook_endpoints"
      )
      const readEndpoint = (id: string) =>
        Effect.flatMap(sql`SELECT ${endpointColumns} WHERE id = ${id}`, (rows) =>
          Effect.map(decodeEndpoints(rows), (decoded) => Option.fromNullishOr(decoded[0]))
        )

      const setEndpoint = Effect.fn("LedgerWebhooks.setEndpoint")(function* (id: string, input: WebhookEndpointInput) {
        const at = yield* now
        const secret = newSecret()
        const events = JSON.stringify(input.events)
        const resellers = input.resellers === undefined ? null : JSON.stringify(input.resellers)
        const enabled = input.enabled === false ? 0 : 1
        const inserted =
          yield* sql`INSERT INTO webhook_endpoints (id, url, events, resellers, enabled, secret, created_at)
            VALUES (${id}, ${input.url}, ${events}, ${resellers}, ${enabled}, ${secret}, ${at})
            ON CONFLICT (id) DO NOTHING RETURNING id`
        const created = inserted.length > 0
        if (!created) {
          yield* sql`UPDATE webhook_endpoints SET url = ${input.url}, events = ${events}, resellers = ${resellers},
              enabled = ${enabled} WHERE id = ${id}`
        }
        const row = Option.getOrThrow(yield* readEndpoint(id))
        const endpoint = toEndpoint(row, at)
        return { endpoint: created ? { ...endpoint, secret } : endpoint, created }
      }, Rows.storeFailure("LedgerWebhooks.setEndpoint"))

      const listEndpoints = Effect.fn("LedgerWebhooks.listEndpoints")(function* () {
        const at = yield* now
        const rows = yield* decodeEndpoints(yield* sql`SELECT ${endpointColumns} ORDER BY id`)
        return rows.map((row) => toEndpoint(row, at))
      }, Rows.storeFailure("LedgerWebhooks.listEndpoints"))

      const getEndpoint = Effect.fn("LedgerWebhooks.getEndpoint")(function* (id: string) {
        const at = yield* now
        return Option.map(yield* readEndpoint(id), (row) => toEndpoint(row, at))
      }, Rows.storeFailure("LedgerWebhooks.getEndpoint"))

      const removeEndpoint = Effect.fn("LedgerWebhooks.removeEndpoint")(function* (id: string) {
        const at = yield* now
        return yield* sql.withTransaction(
          Effect.gen(function* () {
            const found = yield* readEndpoint(id)
            if (Option.isNone(found)) return Option.none<WebhookEndpoint>()
            yield* sql`DELETE FROM webhook_deliveries WHERE endpoint_id = ${id}`
            yield* sql`DELETE FROM webhook_endpoints WHERE id = ${id}`
            return Option.some(toEndpoint(found.value, at))
          })
        )
      }, Rows.storeFailure("LedgerWebhooks.removeEndpoint"))

      const rotateSecret = Effect.fn("LedgerWebhooks.rotateSecret")(function* (id: string, graceSeconds: number) {
        const at = yield* now
        const secret = newSecret()
        const expires = at + graceSeconds * 1000
        const rows = yield* sql`UPDATE webhook_endpoints SET previous_secret = secret, secret = ${secret},
            previous_secret_expires_at = ${expires} WHERE id = ${id} RETURNING id`
        return rows.length === 0
          ? Option.none<WebhookSecretRotation>()
          : Option.some<WebhookSecretRotation>({ secret, previousSecretExpiresAt: iso(expires) })
      }, Rows.storeFailure("LedgerWebhooks.rotateSecret"))

      const deliveryColumns = sql.literal(`d.seq, d.id, d.alert_id, d.status, d.attempts, d.last_status, d.last_error,
        d.next_attempt_at, d.delivered_at, d.created_at, a.body
        FROM webhook_deliveries d JOIN usage_alerts a ON a.id = d.alert_id`)

      const deliveries = Effect.fn("LedgerWebhooks.deliveries")(function* (
        id: string,
        options: { readonly limit: number; readonly cursor?: string | undefined }
      ) {
        if (Option.isNone(yield* readEndpoint(id))) return Option.none()
        const limit = Number.isFinite(options.limit) ? Math.max(1, Math.floor(options.limit)) : 1
        const before = options.cursor === undefined ? undefined : decodeCursor(options.cursor)
        const rows = yield* decodeDeliveries(
          yield* sql`SELECT ${deliveryColumns} WHERE d.endpoint_id = ${id}
            AND d.seq < ${before ?? Number.MAX_SAFE_INTEGER} ORDER BY d.seq DESC LIMIT ${limit + 1}`
        )
        const page = rows.slice(0, limit)
        const items = page.map(toDelivery)
        const last = page[page.length - 1]
        return Option.some(
          rows.length > limit && last !== undefined ? { items, nextCursor: encodeCursor(last.seq) } : { items }
        )
      }, Rows.storeFailure("LedgerWebhooks.deliveries"))

      const redeliver = Effect.fn("LedgerWebhooks.redeliver")(function* (id: string, deliveryId: string) {
        const at = yield* now
        yield* sql`UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ${at}, retry_from = ${at},
            locked_until = NULL, lease = NULL WHERE id = ${deliveryId} AND endpoint_id = ${id}`
        const rows = yield* decodeDeliveries(
          yield* sql`SELECT ${deliveryColumns} WHERE d.id = ${deliveryId} AND d.endpoint_id = ${id}`
        )
        return Option.map(Option.fromNullishOr(rows[0]), toDelivery)
      }, Rows.storeFailure("LedgerWebhooks.redeliver"))

      const claim = Effect.fn("LedgerWebhooks.claim")(function* (options: {
        readonly limit: number
        readonly leaseMillis: number
      }) {
        const at = yield* now
        // A read first: an idle poll takes no write lock.
        const due = yield* sql`SELECT 1 AS due FROM webhook_deliveries
          WHERE status = 'pending' AND next_attempt_at <= ${at} LIMIT 1`
        if (due.length === 0) return []
        const lease = randomBytes(12).toString("hex")
        const until = at + options.leaseMillis
        const lock = isPg ? sql.literal("FOR UPDATE OF d SKIP LOCKED") : sql.literal("")
        const claimed = yield* sql`UPDATE webhook_deliveries SET locked_until = ${until}, lease = ${lease}
          WHERE seq IN (SELECT d.seq FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
            WHERE d.status = 'pending' AND d.next_attempt_at <= ${at}
              AND (d.locked_until IS NULL OR d.locked_until <= ${at}) AND e.enabled = 1
            ORDER BY d.next_attempt_at LIMIT ${options.limit} ${lock})
            AND (locked_until IS NULL OR locked_until <= ${at})
          RETURNING seq`
        if (claimed.length === 0) return []
        const rows = yield* decodeClaims(
          yield* sql`SELECT d.seq, d.id, d.attempts, d.retry_from, a.id AS event_id, a.body, e.url, e.secret,
              e.previous_secret, e.previous_secret_expires_at
            FROM webhook_deliveries d
            JOIN usage_alerts a ON a.id = d.alert_id
            JOIN webhook_endpoints e ON e.id = d.endpoint_id
            WHERE d.lease = ${lease} ORDER BY d.next_attempt_at`
        )
        return rows.map(
          (row): ClaimedDelivery => ({
            seq: row.seq,
            lease,
            id: row.id,
            eventId: row.event_id,
            body: row.body,
            url: row.url,
            secrets:
              row.previous_secret !== null &&
              row.previous_secret_expires_at !== null &&
              row.previous_secret_expires_at > at
                ? [row.secret, row.previous_secret]
                : [row.secret],
            attempts: row.attempts,
            retryFrom: row.retry_from
          })
        )
      }, Rows.storeFailure("LedgerWebhooks.claim"))

      const complete = Effect.fn("LedgerWebhooks.complete")(function* (
        claimed: ClaimedDelivery,
        outcome: DeliveryOutcome
      ) {
        yield* sql`UPDATE webhook_deliveries SET status = ${outcome.status}, attempts = attempts + 1,
            last_status = ${outcome.lastStatus ?? null}, last_error = ${outcome.lastError ?? null},
            next_attempt_at = ${outcome.nextAttemptAt ?? outcome.at},
            delivered_at = ${outcome.status === "delivered" ? outcome.at : null},
            locked_until = NULL, lease = NULL
          WHERE seq = ${claimed.seq} AND lease = ${claimed.lease}`
      }, Rows.storeFailure("LedgerWebhooks.complete"))

      const stats = Effect.fn("LedgerWebhooks.stats")(function* () {
        const rows = yield* decodeStats(
          yield* sql`SELECT COUNT(*) AS pending, MIN(retry_from) AS oldest FROM webhook_deliveries
            WHERE status = 'pending'`
        )
        const row = rows[0]
        return { pending: row?.pending ?? 0, oldestPendingSince: row?.oldest ?? undefined }
      }, Rows.storeFailure("LedgerWebhooks.stats"))

      return LedgerWebhooks.of({
        setEndpoint,
        listEndpoints,
        getEndpoint,
        removeEndpoint,
        rotateSecret,
        deliveries,
        redeliver,
        claim,
        complete,
        stats
      })
    })
  )
}
