/**
 * The Promise edge of the SDK, for the overview client and the operator
 * client: an engine effect run as a Promise. Its failure (one of the SDK's
 * error classes) rejects as is; an interruption (the caller's abort) is the
 * one conversion, into `AbortedError`.
 */
import { Cause, Effect, Exit, Option } from "effect"
import type { AccountOverviewError } from "../Errors.js"

/** Both signals, either, or none. */
export const combineSignals = (a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined =>
  a === undefined ? b : b === undefined ? a : AbortSignal.any([a, b])

/** Runs an engine effect as a Promise: its failure rejects as is, an interruption (abort) as `onAbort()`. */
export const runAsPromise = <A>(
  effect: Effect.Effect<A, AccountOverviewError>,
  signal: AbortSignal | undefined,
  onAbort: () => AccountOverviewError
): Promise<A> => {
  if (signal?.aborted) return Promise.reject(onAbort())
  return Effect.runPromiseExit(effect, signal === undefined ? undefined : { signal }).then((exit) => {
    if (Exit.isSuccess(exit)) return exit.value
    const error = Cause.findErrorOption(exit.cause)
    if (Option.isSome(error)) throw error.value
    if (Cause.hasInterrupts(exit.cause)) throw onAbort()
    throw Cause.squash(exit.cause)
  })
}
