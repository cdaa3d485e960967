import { assert, describe, it } from "vitest"
import { parseLedgerTable } from "../../rows/ingest.mjs"

describe("parseLedgerTable", () => {
  it("reads the table of packages/store/bench/ingest.mjs", () => {
    const stdout = `ingestion, 3 batches of 10,000 new events (1,000 customers, 30 days), medians
store                          ledger ev/s   baseline ev/s   ratio   re-sent batch (all duplicates) ev/s
SQLite synchronous=FULL             57,358          96,102    0.60        32,544
SQLite synchronous=NORMAL           82,651         256,187    0.32        50,493
PostgreSQL                          38,629          78,020    0.50        70,374
`
    assert.deepStrictEqual(parseLedgerTable(stdout), [
      { store: "SQLite synchronous=FULL", eventsPerSecond: 57_358, baseline: 96_102, duplicatesPerSecond: 32_544 },
      { store: "SQLite synchronous=NORMAL", eventsPerSecond: 82_651, baseline: 256_187, duplicatesPerSecond: 50_493 },
      { store: "PostgreSQL", eventsPerSecond: 38_629, baseline: 78_020, duplicatesPerSecond: 70_374 }
    ])
  })
})
