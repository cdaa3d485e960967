/**
 * The process and Node.js runtime metrics and the build info, as Effect
 * `Metric`s in a registry of the instance's own: resident memory, heap,
 * external memory, CPU seconds, start time, open file descriptors (Linux),
 * event-loop lag, garbage collections, active libuv resources, and
 * `account_overview_build_info`. The names are those of prom-client's
 * default metrics, which dashboards for Node.js services expect.
 *
 * Nothing here runs per request: the values are read once per scrape
 * (`collect`), except the garbage collections (a `PerformanceObserver`
 * callback per collection) and the event-loop delay (a libuv timer every
 * 10 ms, from `monitorEventLoopDelay`).
 *
 * @since 0.2.0
 */
import { readdirSync, readFileSync } from "node:fs"
import { constants, type ELDHistogram, monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks"
import { getHeapSpaceStatistics } from "node:v8"
import { type Context, Metric, Option } from "effect"
import { serviceVersion } from "./Version.js"

/**
 * What `account_overview_build_info` says.
 *
 * @since 0.2.0
 * @category models
 */
export interface BuildInfo {
  /** The `@account-overview/http` package's version. */
  readonly version: string
  /** `process.version`, such as `v24.1.0`. */
  readonly nodeVersion: string
  /** The source commit (`BUILD_COMMIT`), `unknown` when not given. */
  readonly commit: string
}

/**
 * The build info of this process, with the commit when it is known.
 *
 * @since 0.2.0
 * @category build info
 */
export const buildInfoOf = (commit: Option.Option<string>): BuildInfo => ({
  version: serviceVersion,
  nodeVersion: process.version,
  commit: Option.getOrElse(commit, () => "unknown")
})

/**
 * The upper bounds of the garbage collection histogram's buckets, in
 * seconds (prom-client's).
 *
 * @since 0.2.0
 * @category constants
 */
export const gcBuckets: ReadonlyArray<number> = [0.001, 0.01, 0.1, 1, 2, 5]

/**
 * The running collectors: `collect` reads every value once (before an
 * exposition), `stop` ends the observers and removes the series.
 *
 * @since 0.2.0
 * @category models
 */
export interface RuntimeCollectors {
  readonly collect: () => void
  readonly stop: () => void
}

// The `kind` of a `gc` performance entry, and its label.
const gcKinds: ReadonlyArray<readonly [number, string]> = [
  [constants.NODE_PERFORMANCE_GC_MINOR, "minor"],
  [constants.NODE_PERFORMANCE_GC_MINOR_MARK_SWEEP, "minor_mark_sweep"],
  [constants.NODE_PERFORMANCE_GC_MAJOR, "major"],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, "incremental"],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, "weakcb"]
]

const noop = () => {}

const openFdsDir = "/proc/self/fd"

const maxOpenFiles = (): number | undefined => {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"))
    const soft = line === undefined ? undefined : Number(line.split(/\s+/)[3])
    return soft !== undefined && Number.isFinite(soft) ? soft : undefined
  } catch {
    return undefined
  }
}

const hasOpenFds = (): boolean => {
  try {
    readdirSync(openFdsDir)
    return true
  } catch {
    return false
  }
}

const lagSeconds = (histogram: ELDHistogram, read: (h: ELDHistogram) => number): number =>
  histogram.count === 0 ? 0 : read(histogram) / 1e9

/**
 * Registers the runtime metrics and the build info in `context`'s metric
 * registry and starts their observers.
 *
 * @since 0.2.0
 * @category constructors
 */
export const startRuntimeMetrics = (context: Context.Context<never>, info: BuildInfo): RuntimeCollectors => {
  const registrations: Array<Metric.Registration> = []
  const gauge = (name: string, description: string, read: () => number, attributes?: Record<string, string>) =>
    registrations.push(
      Metric.registerUnsafe(Metric.gauge(name, { description, attributes }), context, {
        get: () => ({ value: read() }),
        update: noop,
        modify: noop
      })
    )
  const counter = (name: string, description: string, read: () => number) =>
    registrations.push(
      Metric.registerUnsafe(Metric.counter(name, { description, incremental: true }), context, {
        get: () => ({ count: read(), incremental: true }),
        update: noop,
        modify: noop
      })
    )

  let cpu = process.cpuUsage()
  let memory = process.memoryUsage()
  let openFds = 0
  let spaces = getHeapSpaceStatistics()
  const resources = new Map<string, number>()
  const lag = { min: 0, max: 0, mean: 0, stddev: 0, p50: 0, p90: 0, p99: 0 }
  const startTime = Math.round(Date.now() / 1000 - process.uptime())
  const eventLoop = monitorEventLoopDelay({ resolution: 10 })
  eventLoop.enable()

  counter("process_cpu_user_seconds_total", "User CPU time spent, in seconds.", () => cpu.user / 1e6)
  counter("process_cpu_system_seconds_total", "System CPU time spent, in seconds.", () => cpu.system / 1e6)
  counter(
    "process_cpu_seconds_total",
    "User and system CPU time spent, in seconds.",
    () => (cpu.user + cpu.system) / 1e6
  )
  gauge("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds.", () => startTime)
  gauge("process_resident_memory_bytes", "Resident memory size, in bytes.", () => memory.rss)
  const countFds = hasOpenFds()
  if (countFds) gauge("process_open_fds", "Open file descriptors.", () => openFds)
  const maxFds = maxOpenFiles()
  if (maxFds !== undefined) gauge("process_max_fds", "Maximum number of open file descriptors.", () => maxFds)
  gauge("nodejs_heap_size_total_bytes", "V8 heap size, in bytes.", () => memory.heapTotal)
  gauge("nodejs_heap_size_used_bytes", "V8 heap used, in bytes.", () => memory.heapUsed)
  gauge(
    "nodejs_external_memory_bytes",
    "Memory of C++ objects bound to JavaScript objects, in bytes.",
    () => memory.external
  )
  for (const [index, space] of spaces.entries()) {
    const attributes = { space: space.space_name.replace(/_space$/, "") }
    gauge(
      "nodejs_heap_space_size_total_bytes",
      "V8 heap space size, in bytes, by space.",
      () => spaces[index]?.space_size ?? 0,
      attributes
    )
    gauge(
      "nodejs_heap_space_size_used_bytes",
      "V8 heap space used, in bytes, by space.",
      () => spaces[index]?.space_used_size ?? 0,
      attributes
    )
  }
  const lagGauge = (name: keyof typeof lag, what: string) =>
    gauge(
      `nodejs_eventloop_lag_${name}_seconds`,
      `The ${what} event-loop delay since the previous scrape, in seconds.`,
      () => lag[name]
    )
  lagGauge("min", "smallest")
  lagGauge("max", "largest")
  lagGauge("mean", "mean")
  lagGauge("stddev", "standard deviation of the")
  lagGauge("p50", "median")
  lagGauge("p90", "90th percentile of the")
  lagGauge("p99", "99th percentile of the")
  const resourceGauge = (type: string) =>
    gauge(
      "nodejs_active_resources",
      "Active libuv resources keeping the event loop alive, by type.",
      () => resources.get(type) ?? 0,
      { type }
    )
  gauge(
    "account_overview_build_info",
    "The service's version, the Node.js version and the source commit, as labels; always 1.",
    () => 1,
    { version: info.version, node_version: info.nodeVersion, commit: info.commit }
  )

  const gcDurations = new Map(
    gcKinds.map(([kind, name]) => {
      const histogram = Metric.histogram("nodejs_gc_duration_seconds", {
        description: "Garbage collection pauses, in seconds, by kind.",
        boundaries: gcBuckets,
        attributes: { kind: name }
      })
      histogram.valueUnsafe(context)
      return [kind, histogram] as const
    })
  )
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { readonly detail?: { readonly kind?: number } }).detail?.kind
      gcDurations.get(kind ?? 0)?.updateUnsafe(entry.duration / 1000, context)
    }
  })
  gc.observe({ entryTypes: ["gc"] })

  const collect = () => {
    cpu = process.cpuUsage()
    memory = process.memoryUsage()
    spaces = getHeapSpaceStatistics()
    if (countFds) {
      try {
        // The directory's own descriptor, open while it is read, is not counted.
        openFds = readdirSync(openFdsDir).length - 1
      } catch {}
    }
    lag.min = lagSeconds(eventLoop, (h) => h.min)
    lag.max = lagSeconds(eventLoop, (h) => h.max)
    lag.mean = lagSeconds(eventLoop, (h) => h.mean)
    lag.stddev = lagSeconds(eventLoop, (h) => h.stddev)
    lag.p50 = lagSeconds(eventLoop, (h) => h.percentile(50))
    lag.p90 = lagSeconds(eventLoop, (h) => h.percentile(90))
    lag.p99 = lagSeconds(eventLoop, (h) => h.percentile(99))
    eventLoop.reset()
    for (const type of resources.keys()) resources.set(type, 0)
    for (const type of process.getActiveResourcesInfo()) {
      const count = resources.get(type)
      if (count === undefined) resourceGauge(type)
      resources.set(type, (count ?? 0) + 1)
    }
  }

  return {
    collect,
    stop: () => {
      eventLoop.disable()
      gc.disconnect()
      for (const registration of registrations) registration.remove()
      for (const histogram of gcDurations.values()) Metric.removeUnsafe(histogram, context)
    }
  }
}
