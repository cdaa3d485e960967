import { assert, describe, it } from "@effect/vitest"
import { makeFailureCounter, makeRateBuckets } from "../src/Throttle.js"

describe("makeFailureCounter", () => {
  it("blocks a key once it reaches the limit, until its window ends", () => {
    const counter = makeFailureCounter(3)
    const t0 = 1_000_000
    for (let i = 0; i < 2; i++) counter.recordFailure("u:a", t0 + i)
    assert.isUndefined(counter.blockedFor("u:a", t0 + 10))
    counter.recordFailure("u:a", t0 + 20)
    assert.strictEqual(counter.blockedFor("u:a", t0 + 20), 60)
    assert.strictEqual(counter.blockedFor("u:a", t0 + 30_500), 30)
    assert.isUndefined(counter.blockedFor("u:b", t0 + 30_500))
    assert.isUndefined(counter.blockedFor("u:a", t0 + 60_000))
  })

  it("keeps at most its cap of keys, dropping the oldest", () => {
    const counter = makeFailureCounter(1, 100)
    for (let i = 0; i < 1_000; i++) counter.recordFailure(`a:${i}`, 0)
    assert.strictEqual(counter.size(), 100)
    assert.isUndefined(counter.blockedFor("a:0", 1))
    assert.strictEqual(counter.blockedFor("a:999", 1), 60)
  })
})

describe("makeRateBuckets", () => {
  it("lets perMinute calls through, then answers the wait for the next token", () => {
    const buckets = makeRateBuckets(6)
    const t0 = 5_000
    for (let i = 0; i < 6; i++) {
      assert.isUndefined(buckets.emptyFor("r", t0))
      buckets.take("r", t0)
    }
    assert.strictEqual(buckets.emptyFor("r", t0), 10)
    assert.strictEqual(buckets.emptyFor("r", t0 + 5_000), 5)
    assert.isUndefined(buckets.emptyFor("r", t0 + 10_000))
    assert.isUndefined(buckets.emptyFor("other", t0))
  })

  it("keeps at most its cap of buckets", () => {
    const buckets = makeRateBuckets(1, 50)
    for (let i = 0; i < 500; i++) buckets.take(`r${i}`, 0)
    assert.strictEqual(buckets.size(), 50)
  })
})
