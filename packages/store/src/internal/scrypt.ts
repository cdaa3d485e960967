import { randomBytes, scrypt, timingSafeEqual } from "node:crypto"
import { Effect } from "effect"

export interface ScryptParams {
  readonly N: number
  readonly r: number
  readonly p: number
}

export const defaultParams: ScryptParams = { N: 16384, r: 8, p: 5 }

const saltBytes = 16
const hashBytes = 32
// Parameters read back from the database are bounded, so a tampered row
// cannot make one verification take minutes or gigabytes.
const maxN = 1 << 20
const maxR = 32
const maxP = 16

const isPowerOfTwo = (n: number): boolean => Number.isSafeInteger(n) && n > 1 && (n & (n - 1)) === 0

export const isValidParams = (params: ScryptParams): boolean =>
  isPowerOfTwo(params.N) &&
  params.N <= maxN &&
  Number.isSafeInteger(params.r) &&
  params.r >= 1 &&
  params.r <= maxR &&
  Number.isSafeInteger(params.p) &&
  params.p >= 1 &&
  params.p <= maxP

export interface ParsedHash {
  readonly params: ScryptParams
  readonly salt: Buffer
  readonly hash: Buffer
}

const b64url = /^[A-Za-z0-9_-]+$/

export const parse = (stored: string): ParsedHash | undefined => {
  const parts = stored.split("$")
  if (parts.length !== 6 || parts[0] !== "scrypt") return undefined
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string]
  const params = { N: Number(n), r: Number(r), p: Number(p) }
  if (!isValidParams(params) || !b64url.test(salt) || !b64url.test(hash)) return undefined
  const saltBuffer = Buffer.from(salt, "base64url")
  const hashBuffer = Buffer.from(hash, "base64url")
  if (saltBuffer.length < 8 || hashBuffer.length < 16) return undefined
  return { params, salt: saltBuffer, hash: hashBuffer }
}

export const derive = (key: string, salt: Buffer, length: number, params: ScryptParams): Effect.Effect<Buffer> =>
  Effect.callback<Buffer>((resume) => {
    scrypt(
      key,
      salt,
      length,
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 },
      (error, derived) => resume(error === null ? Effect.succeed(derived) : Effect.die(error))
    )
  })

export const hash = (key: string, params: ScryptParams = defaultParams): Effect.Effect<string> =>
  Effect.suspend(() => {
    const salt = randomBytes(saltBytes)
    return Effect.map(
      derive(key, salt, hashBytes, params),
      (derived) =>
        `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString("base64url")}$${derived.toString("base64url")}`
    )
  })

/** Verifies `key` against a parsed hash in constant time; the slow part runs off the event loop. */
export const verifyParsed = (parsed: ParsedHash, key: string): Effect.Effect<boolean> =>
  Effect.map(derive(key, parsed.salt, parsed.hash.length, parsed.params), (derived) =>
    timingSafeEqual(derived, parsed.hash)
  )

export const verify = (stored: string, key: string): Effect.Effect<boolean> => {
  const parsed = parse(stored)
  return parsed === undefined ? Effect.succeed(false) : verifyParsed(parsed, key)
}
