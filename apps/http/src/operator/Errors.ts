import {
  type EventProblem,
  OperatorInvalid,
  OperatorNotFound,
  OperatorUnavailable,
  type Unavailable
} from "@account-overview/core"
import { Effect, Predicate } from "effect"

/**
 * What the operator API answers while the store is down; the cause stays in the logs.
 *
 * @since 0.1.0
 * @category errors
 */
export const storeUnavailable = new OperatorUnavailable({ message: "the store is unavailable, retry later" })

/**
 * Maps the store's `Unavailable` to `OperatorUnavailable` (503), logging the cause.
 *
 * @since 0.1.0
 * @category errors
 */
export const orUnavailable = <A, E, R>(
  self: Effect.Effect<A, E | Unavailable, R>
): Effect.Effect<A, Exclude<E, Unavailable> | OperatorUnavailable, R> =>
  Effect.catchIf(
    self,
    (e): e is Unavailable => Predicate.isTagged(e, "Unavailable"),
    (cause) =>
      Effect.andThen(
        Effect.logWarning("operator call failed: the store is unavailable", cause.message),
        Effect.fail(storeUnavailable)
      )
  ) as Effect.Effect<A, Exclude<E, Unavailable> | OperatorUnavailable, R>

/**
 * `OperatorInvalid` for problems the store found (unknown reseller, package or customer).
 *
 * @since 0.1.0
 * @category errors
 */
export const rejected = (problems: ReadonlyArray<EventProblem>, what: string): OperatorInvalid =>
  new OperatorInvalid({
    message: `${what}: ${problems.map((p) => (p.field === "" ? p.message : `${p.field}: ${p.message}`)).join("; ")}`,
    problems
  })

/**
 * `OperatorNotFound` naming the kind and name of what is missing.
 *
 * @since 0.1.0
 * @category errors
 */
export const notFound = (kind: "package" | "reseller" | "customer", name: string): OperatorNotFound =>
  new OperatorNotFound({ message: `no ${kind} named ${JSON.stringify(name)}` })
