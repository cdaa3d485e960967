import { assert, describe, it } from "vitest"
import { figure, table, verdict } from "../../lib/report.mjs"

const atLeast = (limit) => ({ of: "ratio", op: ">=", limit, text: `>= ${limit}x` })

describe("figure", () => {
  it("judges the ratio or the value against its target", () => {
    assert.strictEqual(
      figure({ name: "a", value: 10, unit: "req/s", ratio: 0.4, target: atLeast(0.35) }).status,
      "PASS"
    )
    assert.strictEqual(
      figure({ name: "a", value: 10, unit: "req/s", ratio: 0.3, target: atLeast(0.35) }).status,
      "MISS"
    )
    assert.strictEqual(figure({ name: "a", value: 0.35, unit: "x", ratio: 0.35, target: atLeast(0.35) }).status, "PASS")
    const below = { of: "value", op: "<", limit: 10, text: "< 10 ms" }
    assert.strictEqual(figure({ name: "p99", value: 9.9, unit: "ms", target: below }).status, "PASS")
    assert.strictEqual(figure({ name: "p99", value: 10, unit: "ms", target: below }).status, "MISS")
    const atMost = { of: "ratio", op: "<=", limit: 1.5, text: "<= 1.5x" }
    assert.strictEqual(figure({ name: "t", value: 1, unit: "ops/s", ratio: 1.6, target: atMost }).status, "MISS")
  })

  it("counts a figure that could not be measured as a MISS, never a PASS", () => {
    const f = figure({ name: "a", value: 0, unit: "req/s", ratio: Number.NaN, target: atLeast(0.5) })
    assert.strictEqual(f.status, "MISS")
    assert.strictEqual(f.ratio, null)
  })

  it("is informational without a target", () => {
    assert.strictEqual(figure({ name: "rss", value: 150, unit: "MB" }).status, "info")
  })
})

describe("table and verdict", () => {
  const sections = [
    {
      id: "overview",
      figures: [
        figure({
          name: "v1 JSON",
          value: 13_832,
          unit: "req/s",
          spread: { min: 13_784, max: 13_880 },
          baseline: { name: "bare", value: 33_538, unit: "req/s" },
          ratio: 0.4124,
          target: atLeast(0.35)
        }),
        figure({ name: "p99", value: 19, unit: "ms", target: { of: "value", op: "<", limit: 10, text: "< 10 ms" } })
      ]
    },
    { id: "postgres", error: "cannot connect\nmore detail" }
  ]

  it("prints every figure with its baseline, ratio, target and result, and rows that did not run", () => {
    const lines = table(sections).split("\n")
    assert.strictEqual(lines.length, 2 + 3)
    assert.match(
      lines[2],
      /^overview\s+v1 JSON\s+13,832 req\/s \[13,784\.\.13,880\]\s+bare: 33,538 req\/s\s+0\.412x\s+>= 0\.35x\s+PASS$/
    )
    assert.match(lines[3], /p99\s+19\.0 ms\s+< 10 ms\s+MISS$/)
    assert.match(lines[4], /^postgres\s+\(did not run\)\s+cannot connect\s+ERROR$/)
  })

  it("counts passes, misses and rows that did not run", () => {
    assert.deepStrictEqual(verdict(sections), { pass: 1, miss: 1, errors: 1 })
  })
})
