import { Effect, Fiber, Semaphore } from "effect"

/**
 * Slow verifications, shared and capped: one verification in flight per
 * key (callers asking for the same key while it runs join it), and at most
 * `permits` of them running at once (the rest wait their turn). A
 * verification runs in a fiber of its own, so a caller that goes away does
 * not cancel it for the others.
 */
export interface Verifications {
  readonly run: <A>(key: string, verification: Effect.Effect<A>) => Effect.Effect<A>
  /** How many verifications are in flight (running or waiting for a permit). */
  readonly inFlight: () => number
}

export const make = (permits: number): Verifications => {
  const semaphore = Semaphore.makeUnsafe(Math.max(1, Math.floor(permits)))
  const running = new Map<string, Fiber.Fiber<unknown>>()
  const run = <A>(key: string, verification: Effect.Effect<A>): Effect.Effect<A> =>
    Effect.suspend(() => {
      const joined = running.get(key) as Fiber.Fiber<A> | undefined
      if (joined !== undefined) return Fiber.join(joined)
      return Effect.flatMap(
        Effect.forkDetach(
          Semaphore.withPermit(semaphore, verification).pipe(Effect.ensuring(Effect.sync(() => running.delete(key))))
        ),
        (fiber) => {
          if (fiber.pollUnsafe() === undefined) running.set(key, fiber)
          return Fiber.join(fiber)
        }
      )
    })
  return { run, inFlight: () => running.size }
}
