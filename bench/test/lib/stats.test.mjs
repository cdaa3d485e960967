import { assert, describe, it } from "vitest"
import { median, summary } from "../../lib/stats.mjs"

describe("stats", () => {
  it("takes the middle sample, or the mean of the two middle ones", () => {
    assert.strictEqual(median([3, 1, 2]), 2)
    assert.strictEqual(median([4, 1, 3, 2]), 2.5)
    assert.strictEqual(median([7]), 7)
  })

  it("summarises with min and max, leaving the input unsorted", () => {
    const xs = [5, 1, 9]
    assert.deepStrictEqual(summary(xs), { median: 5, min: 1, max: 9, n: 3 })
    assert.deepStrictEqual(xs, [5, 1, 9])
  })
})
