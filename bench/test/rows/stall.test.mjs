import { assert, describe, it } from "vitest"
import { figuresOf } from "../../rows/stall.mjs"

const side = (overview, healthz) => ({
  overview: { calls: 100, p50: 1, p99: overview, max: overview + 1 },
  healthz: { calls: 100, p50: 1, p99: healthz, max: healthz + 1 }
})

describe("figuresOf", () => {
  it("reads apps/http/bench/stall.mjs's JSON line: p99 under ingestion against idle, judged on the targets", () => {
    const figures = figuresOf({
      seconds: 5,
      batchSize: 10_000,
      stall: {
        sqlite: { idle: side(2, 1), ingesting: { ...side(30, 10), batches: 9, eventsPerSecond: 18_000 } },
        pg: { idle: side(4, 1), ingesting: { ...side(12, 25), batches: 5, eventsPerSecond: 10_000 } }
      }
    })
    assert.deepStrictEqual(
      figures.map((f) => [f.name, f.value, f.baseline.value, f.status]),
      [
        ["wire overview p99 under ingestion, SQLite", 30, 2, "MISS"],
        ["/healthz p99 under ingestion, SQLite", 10, 1, "PASS"],
        ["wire overview p99 under ingestion, PostgreSQL", 12, 4, "PASS"],
        ["/healthz p99 under ingestion, PostgreSQL", 25, 1, "MISS"]
      ]
    )
  })

  it("refuses an output without figures", () => {
    assert.throws(() => figuresOf({ seconds: 5, batchSize: 10_000, stall: {} }))
  })
})
