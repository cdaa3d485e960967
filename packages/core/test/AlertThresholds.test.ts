import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import {
  AlertThresholds,
  alertThresholdKey,
  alertThresholdOfKey,
  defaultAlertThresholds,
  effectiveAlertThresholds,
  isThresholdReached,
  thresholdsReached
} from "../src/AlertThresholds.js"

const decode = Schema.decodeUnknownExit(AlertThresholds)

describe("AlertThresholds", () => {
  it("takes percentages from 1 to 1000 and overage, each once; [] is no alerts", () => {
    assert.isTrue(decode([80, 100, "overage"])._tag === "Success")
    assert.isTrue(decode([1, 1000])._tag === "Success")
    assert.isTrue(decode([])._tag === "Success")
    for (const bad of [[0], [1001], [50.5], ["80"], ["over"], [80, 80], ["overage", "overage"], 80]) {
      assert.isTrue(decode(bad)._tag === "Failure", JSON.stringify(bad))
    }
  })

  it("inherits customer, then package, then 80 and 100", () => {
    assert.deepStrictEqual(defaultAlertThresholds, [80, 100])
    assert.deepStrictEqual(effectiveAlertThresholds(undefined, undefined), [80, 100])
    assert.deepStrictEqual(effectiveAlertThresholds(undefined, [50]), [50])
    assert.deepStrictEqual(effectiveAlertThresholds([], [50]), [])
    assert.deepStrictEqual(effectiveAlertThresholds(["overage"], [50]), ["overage"])
  })

  it("reaches a percentage at exactly that share of the allowance, overage strictly above it", () => {
    assert.isFalse(isThresholdReached(80, 799, 1000))
    assert.isTrue(isThresholdReached(80, 800, 1000))
    assert.isTrue(isThresholdReached(100, 1000, 1000))
    assert.isFalse(isThresholdReached("overage", 1000, 1000))
    assert.isTrue(isThresholdReached("overage", 1001, 1000))
    // 1 % of 3 credits is 0.03: the first credit reaches it, none does not.
    assert.isFalse(isThresholdReached(1, 0, 3))
    assert.isTrue(isThresholdReached(1, 1, 3))
    // An allowance of 0: every percentage with the first credit.
    assert.isFalse(isThresholdReached(100, 0, 0))
    assert.isTrue(isThresholdReached(1000, 1, 0))
    // Exact beyond 2^53 / 100: a cycle's largest totals.
    const allowed = 3_000_000_000_000_000
    assert.isFalse(isThresholdReached(100, allowed - 1, allowed))
    assert.isTrue(isThresholdReached(100, allowed, allowed))
    assert.deepStrictEqual(thresholdsReached([80, 100, "overage"], 850, 1000), [80])
    assert.deepStrictEqual(thresholdsReached([80, 100, "overage"], 1050, 1000), [80, 100, "overage"])
  })

  it("keys a threshold as digits or overage, and reads the key back", () => {
    for (const t of [1, 80, 100, 1000, "overage"] as const)
      assert.strictEqual(alertThresholdOfKey(alertThresholdKey(t)), t)
    for (const bad of ["0", "1001", "080", "8.5", "", "Overage"]) assert.isUndefined(alertThresholdOfKey(bad), bad)
  })
})
