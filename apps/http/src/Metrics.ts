/**
 * The service's metrics in Prometheus text format: requests by method, route
 * and status, a latency histogram by method and route, store errors and
 * throttled calls — hand-rolled counters, a few map lookups and array
 * increments per request on the hot path (decision 0095) — followed by the
 * process and Node.js runtime metrics and the build info, which are Effect
 * `Metric`s read when `/metrics` is scraped and written by
 * `effect/observability`'s `PrometheusMetrics` (see `RuntimeMetrics.ts`).
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer, Metric } from "effect"
import { PrometheusMetrics } from "effect/observability"
import { buildInfoOf, startRuntimeMetrics } from "./RuntimeMetrics.js"
import { Settings } from "./Settings.js"

/**
 * The upper bounds of the latency histogram's buckets, in seconds.
 *
 * @since 0.1.0
 * @category constants
 */
export const latencyBuckets: ReadonlyArray<number> = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5
]

/**
 * Why a call was throttled: repeated authentication failures, or the
 * per-reseller rate limit.
 *
 * @since 0.1.0
 * @category models
 */
export type ThrottleKind = "auth_failures" | "rate_limit"

/**
 * The metrics registry.
 *
 * @since 0.1.0
 * @category models
 */
export interface MetricsRegistry {
  /**
   * Counts one answered request; `route` is one of a fixed set of labels,
   * `method` the request's (see `methodLabel`; no `method` label without it).
   */
  readonly observeRequest: (route: string, status: number, seconds: number, method?: string) => void
  readonly storeError: () => void
  readonly throttled: (kind: ThrottleKind) => void
  /**
   * Counts one throttle operation the shared store (Redis) did not answer.
   *
   * @since 0.2.0
   */
  readonly throttleStoreError: () => void
  /**
   * Counts one webhook delivery delivered (a 2xx) or failed for good.
   *
   * @since 0.2.0
   */
  readonly webhookDelivery: (outcome: "delivered" | "failed") => void
  /**
   * The deliveries pending in the store and the age of the oldest, as last
   * read by this instance's delivery worker.
   *
   * @since 0.2.0
   */
  readonly webhookBacklog: (pending: number, oldestAgeSeconds: number) => void
  /** The Prometheus text exposition (format 0.0.4). */
  readonly render: () => string
}

interface Histogram {
  readonly buckets: Array<number>
  sum: number
  count: number
}

interface Series {
  readonly byStatus: Map<number, number>
  readonly latency: Histogram
}

/**
 * The `method` label of a request method: the methods HTTP defines, every
 * other one (and a missing one) `other`, so that the label has a bounded set
 * of values whatever the clients send.
 *
 * @since 0.2.0
 * @category labels
 */
export const methodLabel = (method: string | undefined): string => {
  switch (method) {
    case "GET":
    case "HEAD":
    case "POST":
    case "PUT":
    case "DELETE":
    case "PATCH":
    case "OPTIONS":
    case "CONNECT":
    case "TRACE":
      return method
    default:
      return "other"
  }
}

const escapeLabel = (value: string): string => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")

/**
 * A fresh registry; `more` adds text to each exposition (the runtime
 * metrics).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRegistry = (options: { readonly more?: () => string } = {}): MetricsRegistry => {
  // route -> method label ("" when the caller gave none) -> counts
  const requests = new Map<string, Map<string, Series>>()
  let storeErrors = 0
  let throttleStoreErrors = 0
  const throttles: Record<ThrottleKind, number> = { auth_failures: 0, rate_limit: 0 }
  const webhooks = { delivered: 0, failed: 0, pending: 0, oldestAgeSeconds: 0 }

  const observeRequest = (route: string, status: number, seconds: number, method?: string): void => {
    let byMethod = requests.get(route)
    if (byMethod === undefined) {
      byMethod = new Map()
      requests.set(route, byMethod)
    }
    const label = method === undefined ? "" : methodLabel(method)
    let series = byMethod.get(label)
    if (series === undefined) {
      series = { byStatus: new Map(), latency: { buckets: latencyBuckets.map(() => 0), sum: 0, count: 0 } }
      byMethod.set(label, series)
    }
    series.byStatus.set(status, (series.byStatus.get(status) ?? 0) + 1)
    const histogram = series.latency
    for (let i = 0; i < latencyBuckets.length; i++) {
      if (seconds <= latencyBuckets[i]!) {
        histogram.buckets[i]! += 1
        break
      }
    }
    histogram.sum += seconds
    histogram.count += 1
  }

  const labelsOf = (route: string, method: string) =>
    `${method === "" ? "" : `method="${method}",`}route="${escapeLabel(route)}"`

  const render = (): string => {
    const lines: Array<string> = []
    lines.push("# HELP http_requests_total HTTP requests answered, by method, route and status.")
    lines.push("# TYPE http_requests_total counter")
    for (const [route, byMethod] of requests) {
      for (const [method, series] of byMethod) {
        const labels = labelsOf(route, method)
        for (const [status, count] of series.byStatus) {
          lines.push(`http_requests_total{${labels},status="${status}"} ${count}`)
        }
      }
    }
    lines.push(
      "# HELP http_request_duration_seconds Time from request received to response written, by method and route."
    )
    lines.push("# TYPE http_request_duration_seconds histogram")
    for (const [route, byMethod] of requests) {
      for (const [method, { latency: histogram }] of byMethod) {
        const labels = labelsOf(route, method)
        let cumulative = 0
        for (let i = 0; i < latencyBuckets.length; i++) {
          cumulative += histogram.buckets[i]!
          lines.push(`http_request_duration_seconds_bucket{${labels},le="${latencyBuckets[i]}"} ${cumulative}`)
        }
        lines.push(`http_request_duration_seconds_bucket{${labels},le="+Inf"} ${histogram.count}`)
        lines.push(`http_request_duration_seconds_sum{${labels}} ${histogram.sum}`)
        lines.push(`http_request_duration_seconds_count{${labels}} ${histogram.count}`)
      }
    }
    lines.push("# HELP webhook_deliveries_pending Webhook deliveries waiting for an attempt or a retry.")
    lines.push("# TYPE webhook_deliveries_pending gauge")
    lines.push(`webhook_deliveries_pending ${webhooks.pending}`)
    lines.push("# HELP webhook_deliveries_delivered_total Webhook deliveries this instance delivered (a 2xx answer).")
    lines.push("# TYPE webhook_deliveries_delivered_total counter")
    lines.push(`webhook_deliveries_delivered_total ${webhooks.delivered}`)
    lines.push(
      "# HELP webhook_deliveries_failed_total Webhook deliveries this instance gave up after the retry window."
    )
    lines.push("# TYPE webhook_deliveries_failed_total counter")
    lines.push(`webhook_deliveries_failed_total ${webhooks.failed}`)
    lines.push("# HELP webhook_oldest_pending_age_seconds Age of the oldest pending webhook delivery, 0 when none.")
    lines.push("# TYPE webhook_oldest_pending_age_seconds gauge")
    lines.push(`webhook_oldest_pending_age_seconds ${webhooks.oldestAgeSeconds}`)
    lines.push("# HELP store_errors_total Calls that failed because the store did not answer.")
    lines.push("# TYPE store_errors_total counter")
    lines.push(`store_errors_total ${storeErrors}`)
    lines.push(
      "# HELP throttle_store_errors_total Throttle operations that Redis did not answer, counted on the instance instead."
    )
    lines.push("# TYPE throttle_store_errors_total counter")
    lines.push(`throttle_store_errors_total ${throttleStoreErrors}`)
    lines.push("# HELP throttled_requests_total Calls answered 429, by throttle.")
    lines.push("# TYPE throttled_requests_total counter")
    for (const kind of Object.keys(throttles) as Array<ThrottleKind>) {
      lines.push(`throttled_requests_total{throttle="${kind}"} ${throttles[kind]}`)
    }
    return `${lines.join("\n")}\n${options.more?.() ?? ""}`
  }

  return {
    observeRequest,
    storeError: () => {
      storeErrors += 1
    },
    throttleStoreError: () => {
      throttleStoreErrors += 1
    },
    throttled: (kind) => {
      throttles[kind] += 1
    },
    webhookDelivery: (outcome) => {
      webhooks[outcome] += 1
    },
    webhookBacklog: (pending, oldestAgeSeconds) => {
      webhooks.pending = pending
      webhooks.oldestAgeSeconds = oldestAgeSeconds
    },
    render
  }
}

/**
 * The metrics service of one instance.
 *
 * @since 0.1.0
 * @category services
 */
export class Metrics extends Context.Service<Metrics, MetricsRegistry>()("@account-overview/http/Metrics") {
  /**
   * A fresh registry for this instance, with the process and runtime
   * metrics (their collectors stop with the layer) and the build info
   * (`BUILD_COMMIT` from the settings).
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<Metrics, never, Settings> = Layer.effect(
    Metrics,
    Effect.gen(function* () {
      const settings = yield* Settings
      const context = Context.make(Metric.MetricRegistry, new Map())
      const runtime = yield* Effect.acquireRelease(
        Effect.sync(() => startRuntimeMetrics(context, buildInfoOf(settings.buildCommit))),
        (runtime) => Effect.sync(runtime.stop)
      )
      return Metrics.of(
        makeRegistry({
          more: () => {
            runtime.collect()
            return PrometheusMetrics.formatUnsafe(context)
          }
        })
      )
    })
  )
}
