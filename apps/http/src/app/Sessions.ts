/**
 * The page's sessions: tokens, the cookie, the same-origin and CSRF checks
 * and the `AppSession` middleware of core's `AppApi`.
 *
 * A session token is 32 random bytes sent once in the `ao_session` cookie
 * (`HttpOnly`, `SameSite=Strict`, `Path=/`, `Max-Age`, `Secure` over TLS or
 * behind a trusted proxy that says `X-Forwarded-Proto: https`); the ledger
 * keeps only its SHA-256 (`LedgerPage`), with the key hash the reseller
 * signed in with, so a rotated key ends the reseller's sessions on every
 * instance, and signing out deletes the row. Every state-changing call
 * carries the session's CSRF token in `X-CSRF-Token` and, from a browser, a
 * same-origin `Origin`.
 *
 * @since 0.2.0
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto"
import {
  AppCaller,
  AppForbidden,
  AppSession,
  AppUnauthorized,
  AppUnavailable,
  appCsrfHeader,
  appSessionCookie
} from "@account-overview/core"
import { Ledger, LedgerPage } from "@account-overview/store"
import { Clock, Effect, Layer, Option, Redacted } from "effect"
import { HttpServerRequest } from "effect/http/HttpServerRequest"
import { HttpApiSecurity } from "effect/http-api"
import { clientAddressOf, forwardedProtoOf, isTrustedPeer, type TrustProxy } from "../ClientAddress.js"
import { Settings } from "../Settings.js"

/**
 * How long a session lasts (8 hours).
 *
 * @since 0.2.0
 * @category constants
 */
export const sessionTtlMillis = 8 * 60 * 60 * 1000

/**
 * The cookie's security scheme (the same as core's `AppSession`).
 *
 * @since 0.2.0
 * @category security
 */
export const sessionSecurity = HttpApiSecurity.apiKey({ in: "cookie", key: appSessionCookie })

/**
 * The SHA-256 of a value, hex.
 *
 * @since 0.2.0
 * @category tokens
 */
export const sha256Hex = (value: string): string => createHash("sha256").update(value, "utf8").digest("hex")

/**
 * A new random token (32 bytes, base64url).
 *
 * @since 0.2.0
 * @category tokens
 */
export const newToken = (): string => randomBytes(32).toString("base64url")

/**
 * What an operator session keeps as its "key hash": a digest of the admin
 * token, so that changing `ADMIN_TOKEN` ends operator sessions.
 *
 * @since 0.2.0
 * @category tokens
 */
export const operatorKeyHash = (adminToken: string): string => sha256Hex(`account-overview/page/operator:${adminToken}`)

/**
 * Whether two strings are equal, in time independent of where they differ.
 *
 * @since 0.2.0
 * @category tokens
 */
export const sameSecret = (a: string, b: string): boolean =>
  timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest())

const header = (request: HttpServerRequest, name: string): string | undefined => {
  const value = request.headers[name]
  return typeof value === "string" ? value : undefined
}

const socketOf = (request: HttpServerRequest) =>
  request.source as { readonly socket?: { readonly encrypted?: boolean; readonly remoteAddress?: string } }

const peerOf = (request: HttpServerRequest): string | undefined =>
  socketOf(request).socket?.remoteAddress ?? Option.getOrUndefined(request.remoteAddress)

/**
 * Whether the request reached the service over TLS, or through a proxy
 * `TRUST_PROXY` trusts that says so (`X-Forwarded-Proto: https`, read as
 * `ClientAddress.forwardedProtoOf` reads it).
 *
 * @since 0.2.0
 * @category requests
 */
export const isSecureRequest = (request: HttpServerRequest, trustProxy: TrustProxy): boolean => {
  if (socketOf(request).socket?.encrypted === true) return true
  return forwardedProtoOf(trustProxy, peerOf(request), request.headers["x-forwarded-proto"]) === "https"
}

/**
 * The client's address, as the wire's throttles see it
 * (`ClientAddress.clientAddressOf` under `TRUST_PROXY`).
 *
 * @since 0.2.0
 * @category requests
 */
export const clientAddress = (request: HttpServerRequest, trustProxy: TrustProxy): string =>
  clientAddressOf(trustProxy, peerOf(request), request.headers["x-forwarded-for"])

/**
 * Whether a request comes from the page's own origin: its `Origin` (when
 * sent; browsers send it on every state-changing request) names the host it
 * was sent to (`X-Forwarded-Host` from a trusted proxy), and its
 * `Sec-Fetch-Site` (when sent) is `same-origin`.
 *
 * @since 0.2.0
 * @category requests
 */
export const isSameOrigin = (request: HttpServerRequest, trustProxy: TrustProxy): boolean => {
  const site = header(request, "sec-fetch-site")
  if (site !== undefined && site !== "same-origin" && site !== "none") return false
  const origin = header(request, "origin")
  if (origin === undefined) return true
  const forwardedHost = isTrustedPeer(trustProxy, peerOf(request)) ? header(request, "x-forwarded-host") : undefined
  const host = forwardedHost?.split(",")[0]?.trim() ?? header(request, "host")
  if (host === undefined) return false
  const scheme = isSecureRequest(request, trustProxy) ? "https" : "http"
  return origin === `${scheme}://${host}`
}

/**
 * The cookie's options for a request.
 *
 * @since 0.2.0
 * @category cookies
 */
export const cookieOptions = (request: HttpServerRequest, trustProxy: TrustProxy, maxAgeSeconds: number) => ({
  httpOnly: true,
  secure: isSecureRequest(request, trustProxy),
  sameSite: "strict" as const,
  path: "/",
  maxAge: `${maxAgeSeconds} seconds` as const
})

const ended = new AppUnauthorized({ message: "sign in first: no session, or it ended" })
const keyChanged = new AppUnauthorized({ message: "the session ended: the key changed, sign in again" })
const unavailable = new AppUnavailable({ message: "the store is unavailable" })
const crossOrigin = new AppForbidden({ message: "a state-changing call from another origin" })
const missingCsrf = new AppForbidden({ message: "a state-changing call needs the session's X-CSRF-Token" })

/**
 * Maps the store's `Unavailable` to the page's `AppUnavailable`.
 *
 * @since 0.2.0
 * @category errors
 */
export const orAppUnavailable = <A, E, R>(
  self: Effect.Effect<A, E, R>
): Effect.Effect<A, Exclude<E, { readonly _tag: "Unavailable" }> | AppUnavailable, R> =>
  Effect.catchIf(
    self,
    (e): e is Extract<E, { readonly _tag: "Unavailable" }> =>
      typeof e === "object" && e !== null && (e as { readonly _tag?: unknown })._tag === "Unavailable",
    () => Effect.fail(unavailable)
  ) as never

/**
 * The key hash a session of `apiUser` must still match: the reseller's
 * stored key hash (read as the wire's overview read does), or for the
 * operator (`undefined`) the digest of the current admin token.
 *
 * @since 0.2.0
 * @category sessions
 */
export const currentKeyHash = Effect.fnUntraced(function* (apiUser: string | undefined) {
  if (apiUser === undefined) {
    const { adminToken } = yield* Settings
    return Option.map(adminToken, (token) => operatorKeyHash(Redacted.value(token)))
  }
  const ledger = yield* Ledger
  const source = yield* orAppUnavailable(ledger.overviewSource(apiUser, ""))
  return Option.map(source, (s) => s.keyHash)
})

/**
 * The `AppSession` middleware: finds the cookie's session, ends it when its
 * key changed, checks the CSRF token and the origin of a state-changing
 * call, and provides `AppCaller`.
 *
 * @since 0.2.0
 * @category layers
 */
export const AppSessionLive: Layer.Layer<AppSession, never, Settings | Ledger> = Layer.effect(
  AppSession,
  Effect.gen(function* () {
    const context = yield* Effect.context<Settings | Ledger>()
    const settings = yield* Settings
    const page = Option.getOrUndefined(yield* Effect.serviceOption(LedgerPage))
    return AppSession.of({
      session: (httpEffect, { credential }) =>
        Effect.gen(function* () {
          const token = Redacted.value(credential)
          if (token === "" || page === undefined) return yield* ended
          const request = yield* HttpServerRequest
          const now = yield* Clock.currentTimeMillis
          const tokenHash = sha256Hex(token)
          const found = yield* orAppUnavailable(page.findSession(tokenHash, now))
          if (Option.isNone(found)) return yield* ended
          const session = found.value
          const current = yield* currentKeyHash(session.apiUser).pipe(Effect.provide(context))
          if (Option.isNone(current) || !sameSecret(current.value, session.keyHash)) {
            yield* orAppUnavailable(page.revokeSession(tokenHash))
            return yield* keyChanged
          }
          if (request.method !== "GET" && request.method !== "HEAD") {
            if (!isSameOrigin(request, settings.trustProxy)) return yield* crossOrigin
            const csrf = header(request, appCsrfHeader)
            if (csrf === undefined || !sameSecret(csrf, session.csrfToken)) return yield* missingCsrf
          }
          return yield* Effect.provideService(
            httpEffect,
            AppCaller,
            AppCaller.of({
              apiUser: session.apiUser,
              tokenHash,
              csrfToken: session.csrfToken,
              expiresAt: session.expiresAt
            })
          )
        })
    })
  })
)
