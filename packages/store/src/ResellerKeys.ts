/**
 * Reseller API keys, stored only as slow salted hashes
 * (`scrypt$N$r$p$salt$hash`), verified in constant time, with a bounded
 * cache of verified keys so that the overview hot path costs one SHA-256
 * and a map lookup.
 *
 * @since 0.1.0
 */

import { hash, randomBytes } from "node:crypto"
import { Context, Effect, Layer, Redacted } from "effect"
import * as Scrypt from "./internal/scrypt.js"
import * as Verifications from "./internal/verifications.js"

/**
 * The cost parameters of scrypt: `N` (CPU and memory cost, a power of two),
 * `r` (block size) and `p` (parallelism).
 *
 * @since 0.1.0
 * @category models
 */
export interface ScryptParams {
  readonly N: number
  readonly r: number
  readonly p: number
}

/**
 * The parameters new hashes are made with (by `ResellerKeys.hash` and by
 * `Ledger.upsertReseller`): N=2^14, r=8, p=5, OWASP's minimum for scrypt at
 * 16 MiB of memory. Stored hashes carry their own parameters, so raising
 * these later keeps old hashes verifiable.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultScryptParams: ScryptParams = Scrypt.defaultParams

/**
 * Options of the `ResellerKeys` layer.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResellerKeysOptions {
  /** How many verified (hash, key) pairs are remembered. Defaults to 10,000; 0 disables the cache. */
  readonly cacheSize?: number | undefined
  /**
   * How many scrypt verifications may run at once; the others wait their
   * turn. Defaults to 4, the size of libuv's thread pool, so that guesses
   * cannot hold every thread.
   *
   * @since 0.2.0
   */
  readonly maxConcurrentVerifications?: number | undefined
}

// A per-instance secret keys the fingerprints of presented keys (one SHA-256
// each); see `ResellerKeys.make`.
const makeService = Effect.fnUntraced(function* (options: ResellerKeysOptions = {}) {
  const params = Scrypt.defaultParams
  const cacheSize = Math.max(0, Math.floor(options.cacheSize ?? 10_000))
  const secret = randomBytes(32).toString("base64url")
  // A hash verifies one key only, so the cache maps each stored hash to the
  // fingerprint of the key that verified against it. Eviction is "second
  // chance" (CLOCK): a hit only sets a flag, so the hot path allocates
  // nothing that outlives the request (re-inserting fresh strings on every
  // hit grew the old space by ~150 bytes a call); when full, the oldest
  // entry not used since the last sweep goes.
  const verified = new Map<string, { readonly print: string; used: boolean }>()
  const dummy = Scrypt.parse(yield* Scrypt.hash(randomBytes(32).toString("base64url"), params))!
  const verifiedNow = Effect.succeed(true)
  // Cold misses: one scrypt in flight per (stored hash, presented key), and
  // at most `maxConcurrentVerifications` at once (decision 0085).
  const verifications = Verifications.make(options.maxConcurrentVerifications ?? 4)

  const fingerprint = (key: string): string => hash("sha256", secret + key, "base64url")

  const evictOne = (): void => {
    for (const [keyHash, entry] of verified) {
      verified.delete(keyHash)
      if (!entry.used) return
      entry.used = false
      verified.set(keyHash, entry)
    }
  }

  const remember = (keyHash: string, print: string): void => {
    if (cacheSize === 0) return
    verified.delete(keyHash)
    if (verified.size >= cacheSize) evictOne()
    verified.set(keyHash, { print, used: false })
  }

  const verify = (keyHash: string, presented: Redacted.Redacted<string>): Effect.Effect<boolean> =>
    Effect.suspend(() => {
      const key = Redacted.value(presented)
      const print = fingerprint(key)
      const entry = verified.get(keyHash)
      if (entry !== undefined && entry.print === print) {
        entry.used = true
        return verifiedNow
      }
      const parsed = Scrypt.parse(keyHash)
      if (parsed === undefined) {
        return Effect.as(
          Effect.andThen(
            Effect.logWarning("a stored reseller key hash is malformed"),
            verifications.run(`\u0000${print}`, Scrypt.verifyParsed(dummy, key))
          ),
          false
        )
      }
      return verifications.run(
        `${keyHash}\u0000${print}`,
        Effect.map(Scrypt.verifyParsed(parsed, key), (ok) => {
          if (ok) remember(keyHash, print)
          return ok
        })
      )
    })

  return ResellerKeys.of({
    hash: (key) => Effect.suspend(() => Scrypt.hash(Redacted.value(key), params)),
    verify,
    verifyAbsent: (presented) =>
      Effect.as(
        Effect.suspend(() => {
          const key = Redacted.value(presented)
          return verifications.run(`\u0000${fingerprint(key)}`, Scrypt.verifyParsed(dummy, key))
        }),
        false as const
      ),
    generate: () => Effect.sync(generateKey)
  })
})

/**
 * Hashing, verification and generation of reseller keys.
 *
 * @since 0.1.0
 * @category services
 */
export class ResellerKeys extends Context.Service<
  ResellerKeys,
  {
    /** A new salted hash of `key`, self-describing: `scrypt$N$r$p$salt$hash`. */
    readonly hash: (key: Redacted.Redacted<string>) => Effect.Effect<string>
    /**
     * Whether `presented` is the key `keyHash` was made from. A malformed
     * hash verifies nothing. Costs one scrypt unless the pair was verified
     * before on this instance; concurrent calls for one pair share one
     * scrypt, and at most `maxConcurrentVerifications` run at once.
     */
    readonly verify: (keyHash: string, presented: Redacted.Redacted<string>) => Effect.Effect<boolean>
    /**
     * Spends the time of a verification and answers `false`: used when the
     * reseller does not exist, so that timing does not tell whether it does.
     */
    readonly verifyAbsent: (presented: Redacted.Redacted<string>) => Effect.Effect<false>
    /** A new high-entropy key: `ao_` and 32 random bytes in base64url. */
    readonly generate: () => Effect.Effect<Redacted.Redacted<string>>
  }
>()("@account-overview/store/ResellerKeys") {
  /**
   * Builds the service: a per-instance secret keys the fingerprints of
   * presented keys (one SHA-256 each), and a bounded map remembers, for each
   * stored hash, the fingerprint of the key that verified against it.
   * `Layer.effect(ResellerKeys, ResellerKeys.make({ cacheSize }))` gives the
   * service with another cache size.
   *
   * @since 0.2.0
   * @category constructors
   */
  static readonly make: (options?: ResellerKeysOptions) => Effect.Effect<ResellerKeys["Service"]> = makeService

  /**
   * The service with the default options.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layer: Layer.Layer<ResellerKeys> = Layer.effect(ResellerKeys, ResellerKeys.make())
}

/**
 * A new high-entropy key: `ao_` followed by 32 random bytes in base64url.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateKey = (): Redacted.Redacted<string> =>
  Redacted.make(`ao_${randomBytes(32).toString("base64url")}`, { label: "api_key" })
