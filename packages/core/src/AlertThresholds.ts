/**
 * Usage alert thresholds: the points of a cycle's allowance at which a
 * customer's usage raises a `usage.threshold_crossed` webhook event, and the
 * pure rule of when each is reached.
 *
 * @since 0.2.0
 */
import { Schema } from "effect"

/**
 * One threshold: a percentage of the cycle's allowance (an integer from 1 to
 * 1000) or `"overage"` (credits used strictly above the allowance).
 *
 * @since 0.2.0
 * @category models
 */
export const AlertThreshold = Schema.Union([
  Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 1000 }))),
  Schema.Literal("overage")
])

/**
 * @since 0.2.0
 * @category models
 */
export type AlertThreshold = typeof AlertThreshold.Type

/**
 * The thresholds of a package or a customer: absent means inherited
 * (customer, then package, then `defaultAlertThresholds`), `[]` means no
 * alerts. Each threshold at most once.
 *
 * @since 0.2.0
 * @category models
 */
export const AlertThresholds = Schema.Array(AlertThreshold).pipe(
  Schema.check(
    Schema.makeFilter(
      (thresholds: ReadonlyArray<AlertThreshold>) =>
        new Set(thresholds).size === thresholds.length || "each threshold at most once"
    )
  )
)

/**
 * The thresholds in force when neither the customer nor its package names
 * any: 80 % and 100 % of the allowance.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultAlertThresholds: ReadonlyArray<AlertThreshold> = [80, 100]

/**
 * The thresholds in force for a customer: its own, else its package's, else
 * `defaultAlertThresholds`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const effectiveAlertThresholds = (
  customer: ReadonlyArray<AlertThreshold> | undefined,
  pkg: ReadonlyArray<AlertThreshold> | undefined
): ReadonlyArray<AlertThreshold> => customer ?? pkg ?? defaultAlertThresholds

/**
 * Whether `creditsUsed` of `creditsAllowed` has reached `threshold`: a
 * percentage `p` is reached when `creditsUsed * 100 >= p * creditsAllowed`
 * and at least one credit is used (an allowance of 0 reaches every
 * percentage with the first credit); `"overage"` when
 * `creditsUsed > creditsAllowed`. Exact in integers for every total the
 * ledger holds.
 *
 * @since 0.2.0
 * @category predicates
 */
export const isThresholdReached = (threshold: AlertThreshold, creditsUsed: number, creditsAllowed: number): boolean =>
  threshold === "overage"
    ? creditsUsed > creditsAllowed
    : creditsUsed > 0 && BigInt(creditsUsed) * 100n >= BigInt(threshold) * BigInt(creditsAllowed)

/**
 * The thresholds of `thresholds` that `creditsUsed` has reached, in their
 * order.
 *
 * @since 0.2.0
 * @category constructors
 */
export const thresholdsReached = (
  thresholds: ReadonlyArray<AlertThreshold>,
  creditsUsed: number,
  creditsAllowed: number
): ReadonlyArray<AlertThreshold> =>
  thresholds.filter((threshold) => isThresholdReached(threshold, creditsUsed, creditsAllowed))

/**
 * The key of a threshold in the store and in an event id: the percentage as
 * digits, or `overage`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const alertThresholdKey = (threshold: AlertThreshold): string => String(threshold)

/**
 * The threshold a key of `alertThresholdKey` names, or `undefined`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const alertThresholdOfKey = (key: string): AlertThreshold | undefined => {
  if (key === "overage") return "overage"
  if (!/^[1-9]\d{0,3}$/.test(key)) return undefined
  const n = Number(key)
  return n <= 1000 ? n : undefined
}
