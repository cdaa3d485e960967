/**
 * The service's metrics in Prometheus text format: requests by route and
 * status, a latency histogram by route, store errors and throttled calls.
 * Hand-rolled counters: a few array increments per request on the hot path.
 *
 * @since 0.1.0
 */
import { Context, Layer } from "effect"

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
  /** Counts one answered request; `route` is one of a fixed set of labels. */
  readonly observeRequest: (route: string, status: number, seconds: number) => void
  readonly storeError: () => void
  readonly throttled: (kind: ThrottleKind) => void
  /**
   * Counts one throttle operation the shared store (Redis) did not answer.
   *
   * @since 0.2.0
   */
  readonly throttleStoreError: () => void
  /** The Prometheus text exposition (format 0.0.4). */
  readonly render: () => string
}

interface Histogram {
  readonly buckets: Array<number>
  sum: number
  count: number
}

const escapeLabel = (value: string): string => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")

/**
 * A fresh registry.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRegistry = (): MetricsRegistry => {
  const requests = new Map<string, Map<number, number>>()
  const latency = new Map<string, Histogram>()
  let storeErrors = 0
  let throttleStoreErrors = 0
  const throttles: Record<ThrottleKind, number> = { auth_failures: 0, rate_limit: 0 }

  const observeRequest = (route: string, status: number, seconds: number): void => {
    let byStatus = requests.get(route)
    if (byStatus === undefined) {
      byStatus = new Map()
      requests.set(route, byStatus)
    }
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1)
    let histogram = latency.get(route)
    if (histogram === undefined) {
      histogram = { buckets: latencyBuckets.map(() => 0), sum: 0, count: 0 }
      latency.set(route, histogram)
    }
    for (let i = 0; i < latencyBuckets.length; i++) {
      if (seconds <= latencyBuckets[i]!) {
        histogram.buckets[i]! += 1
        break
      }
    }
    histogram.sum += seconds
    histogram.count += 1
  }

  const render = (): string => {
    const lines: Array<string> = []
    lines.push("# HELP http_requests_total HTTP requests answered, by route and status.")
    lines.push("# TYPE http_requests_total counter")
    for (const [route, byStatus] of requests) {
      for (const [status, count] of byStatus) {
        lines.push(`http_requests_total{route="${escapeLabel(route)}",status="${status}"} ${count}`)
      }
    }
    lines.push("# HELP http_request_duration_seconds Time from request received to response written, by route.")
    lines.push("# TYPE http_request_duration_seconds histogram")
    for (const [route, histogram] of latency) {
      const label = escapeLabel(route)
      let cumulative = 0
      for (let i = 0; i < latencyBuckets.length; i++) {
        cumulative += histogram.buckets[i]!
        lines.push(`http_request_duration_seconds_bucket{route="${label}",le="${latencyBuckets[i]}"} ${cumulative}`)
      }
      lines.push(`http_request_duration_seconds_bucket{route="${label}",le="+Inf"} ${histogram.count}`)
      lines.push(`http_request_duration_seconds_sum{route="${label}"} ${histogram.sum}`)
      lines.push(`http_request_duration_seconds_count{route="${label}"} ${histogram.count}`)
    }
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
    return `${lines.join("\n")}\n`
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
   * A fresh registry for this instance.
   *
   * @since 0.1.0
   */
  static readonly layer: Layer.Layer<Metrics> = Layer.sync(Metrics, () => Metrics.of(makeRegistry()))
}
