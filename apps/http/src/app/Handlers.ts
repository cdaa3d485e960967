/**
 * The page's JSON API (core's `AppApi`), served with the operator API as one
 * HttpApi (`ServedApi`, one OpenAPI document): signing in (the wire's
 * throttles count failures), the session, the book of a reseller and one
 * customer with its daily credits per cycle. A reseller's session sees its
 * own customers only: another reseller's answer as not found.
 *
 * @since 0.2.0
 */
import {
  AppApi,
  AppCaller,
  type AppCycle,
  AppNotFound,
  AppRateLimited,
  AppUnauthorized,
  AppUnavailable,
  addCalendarDays,
  type CalendarDate,
  calendarDateFromEpochMillis,
  cycleFor,
  OperatorApi,
  type RateLimited
} from "@account-overview/core"
import { Ledger, LedgerOverviews, LedgerPage, ResellerKeys } from "@account-overview/store"
import { Clock, Effect, Layer, Option, Redacted } from "effect"
import { HttpEffect, HttpServerResponse } from "effect/http"
import { HttpServerRequest } from "effect/http/HttpServerRequest"
import { HttpApiBuilder } from "effect/http-api"
import { tokenMatches } from "../operator/Auth.js"
import { Settings } from "../Settings.js"
import { Throttles } from "../Throttle.js"
import {
  AppSessionLive,
  clientAddress,
  cookieOptions,
  isSameOrigin,
  newToken,
  operatorKeyHash,
  orAppUnavailable,
  sessionSecurity,
  sessionTtlMillis,
  sha256Hex
} from "./Sessions.js"

/**
 * The API the service serves: the operator API and the page's API, one
 * OpenAPI document.
 *
 * @since 0.2.0
 * @category api
 */
export const ServedApi = OperatorApi.addHttpApi(AppApi)

/**
 * How many previous cycles one customer's view shows at most.
 *
 * @since 0.2.0
 * @category constants
 */
export const maxPreviousCycles = 12

/**
 * The default page size of the book.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultBookLimit = 500

// The page's store is `LedgerPage`, which every SQL layer of `Ledger`
// provides; a ledger without it (a test's stand-in) leaves the page off.
const withoutSessions = new AppUnavailable({ message: "the page needs a ledger with sessions (LedgerPage)" })
const wrongCredentials = new AppUnauthorized({ message: "wrong API user or API key" })
const wrongToken = new AppUnauthorized({ message: "wrong admin token" })
const operatorOff = new AppUnauthorized({ message: "the operator sign-in is switched off: ADMIN_TOKEN is unset" })
const missing = new AppUnauthorized({ message: "give the API user and the API key, or the admin token" })
const notFound = (what: string) => new AppNotFound({ message: `no such ${what}` })

// A refused sign-in: 429 with `Retry-After`, as the wire answers it.
const admitted = <R>(admission: Effect.Effect<void, RateLimited, R>) =>
  Effect.catchTag(admission, "RateLimited", (refused) =>
    Effect.andThen(
      HttpEffect.appendPreResponseHandler((_, response) =>
        Effect.succeed(
          response.status === 429
            ? HttpServerResponse.setHeader(response, "retry-after", String(refused.retryAfterSeconds))
            : response
        )
      ),
      Effect.fail(
        new AppRateLimited({
          message: "too many failed sign-ins: try again later",
          retryAfterSeconds: refused.retryAfterSeconds
        })
      )
    )
  )

const isoOf = (millis: number): string => new Date(millis).toISOString()

const SessionHandlers = HttpApiBuilder.group(
  ServedApi,
  "appSession",
  Effect.fnUntraced(function* (handlers) {
    const settings = yield* Settings
    const ledger = yield* Ledger
    const keys = yield* ResellerKeys
    const page = Option.getOrUndefined(yield* Effect.serviceOption(LedgerPage))
    const throttles = Option.getOrUndefined(yield* Effect.serviceOption(Throttles))
    const adminDigest = Option.map(settings.adminToken, (t) => Buffer.from(sha256Hex(Redacted.value(t)), "hex"))

    // The reseller's key hash when the key verifies, checked as the wire's
    // ledger layer checks it (a missing reseller costs the same scrypt).
    const verifyReseller = Effect.fnUntraced(function* (apiUser: string, apiKey: string) {
      const presented = Redacted.make(apiKey)
      const source = yield* orAppUnavailable(ledger.overviewSource(apiUser, ""))
      if (Option.isNone(source)) return yield* Effect.as(keys.verifyAbsent(presented), Option.none<string>())
      const ok = yield* keys.verify(source.value.keyHash, presented)
      return ok ? Option.some(source.value.keyHash) : Option.none<string>()
    })

    return handlers
      .handle("signIn", ({ payload }) =>
        Effect.gen(function* () {
          if (page === undefined || throttles === undefined) return yield* withoutSessions
          const request = yield* HttpServerRequest
          if (!isSameOrigin(request, settings.trustProxy)) {
            return yield* new AppUnauthorized({ message: "sign in from the page's own origin" })
          }
          const now = yield* Clock.currentTimeMillis
          const address = clientAddress(request, settings.trustProxy)
          let apiUser: string | undefined
          let keyHash: string
          if (payload.adminToken !== undefined && payload.apiUser === undefined) {
            yield* admitted(throttles.admit(address, undefined))
            if (Option.isNone(adminDigest)) return yield* operatorOff
            if (!tokenMatches(adminDigest.value, payload.adminToken)) {
              yield* throttles.recordFailure(address, undefined)
              return yield* wrongToken
            }
            keyHash = operatorKeyHash(payload.adminToken)
          } else {
            if (
              payload.apiUser === undefined ||
              payload.apiKey === undefined ||
              payload.apiUser === "" ||
              payload.apiKey === ""
            ) {
              return yield* missing
            }
            // As the wire counts (decision 0085): the address's budget and the
            // named reseller's; a correct key from a clean address passes.
            yield* admitted(throttles.admit(address, payload.apiUser))
            const verified = yield* verifyReseller(payload.apiUser, payload.apiKey)
            if (Option.isNone(verified)) {
              yield* throttles.recordFailure(address, payload.apiUser)
              return yield* wrongCredentials
            }
            apiUser = payload.apiUser
            keyHash = verified.value
          }
          const token = newToken()
          const csrfToken = newToken()
          const expiresAt = now + sessionTtlMillis
          yield* orAppUnavailable(
            page.createSession({ tokenHash: sha256Hex(token), apiUser, keyHash, csrfToken, expiresAt }, now)
          )
          yield* HttpApiBuilder.securitySetCookie(
            sessionSecurity,
            token,
            cookieOptions(request, settings.trustProxy, Math.floor(sessionTtlMillis / 1000))
          )
          return apiUser === undefined
            ? { operator: true, csrfToken, expiresAt: isoOf(expiresAt) }
            : { apiUser, operator: false, csrfToken, expiresAt: isoOf(expiresAt) }
        })
      )
      .handle("current", () =>
        Effect.map(Effect.service(AppCaller), (caller) =>
          caller.apiUser === undefined
            ? { operator: true, csrfToken: caller.csrfToken, expiresAt: isoOf(caller.expiresAt) }
            : {
                apiUser: caller.apiUser,
                operator: false,
                csrfToken: caller.csrfToken,
                expiresAt: isoOf(caller.expiresAt)
              }
        )
      )
      .handle("signOut", () =>
        Effect.gen(function* () {
          const caller = yield* AppCaller
          const request = yield* HttpServerRequest
          if (page === undefined) return yield* withoutSessions
          yield* orAppUnavailable(page.revokeSession(caller.tokenHash))
          yield* HttpApiBuilder.securitySetCookie(sessionSecurity, "", cookieOptions(request, settings.trustProxy, 0))
        })
      )
  })
)

// The cycles of a customer, the current one first: `count` cycles back
// from the one that holds `today`.
const cyclesBack = (anchor: CalendarDate, today: CalendarDate, count: number) => {
  const cycles = [cycleFor(anchor, today)]
  for (let i = 0; i < count; i++) {
    const previous = cycles[cycles.length - 1]!
    cycles.push(cycleFor(anchor, addCalendarDays(previous.start, -1)))
  }
  return cycles
}

const BookHandlers = HttpApiBuilder.group(
  ServedApi,
  "appBook",
  Effect.fnUntraced(function* (handlers) {
    const ledger = yield* Ledger
    const overviews = yield* LedgerOverviews
    const page = Option.getOrUndefined(yield* Effect.serviceOption(LedgerPage))

    // The reseller a session may read: its own, or any existing one for the operator.
    const readable = Effect.fnUntraced(function* (apiUser: string) {
      const caller = yield* AppCaller
      if (caller.apiUser !== undefined) {
        if (caller.apiUser !== apiUser) return yield* notFound("reseller")
        return
      }
      const found = yield* orAppUnavailable(ledger.getReseller(apiUser))
      if (Option.isNone(found)) return yield* notFound("reseller")
    })

    return handlers
      .handle("resellers", () =>
        Effect.gen(function* () {
          const caller = yield* AppCaller
          if (caller.apiUser !== undefined) return [caller.apiUser]
          if (page === undefined) return yield* withoutSessions
          return yield* orAppUnavailable(page.resellerNames())
        })
      )
      .handle("book", ({ params, query }) =>
        Effect.gen(function* () {
          yield* readable(params.apiUser)
          return yield* orAppUnavailable(
            overviews.overviewsOfReseller(params.apiUser, {
              limit: query.limit ?? defaultBookLimit,
              cursor: query.cursor
            })
          )
        })
      )
      .handle("customer", ({ params }) =>
        Effect.gen(function* () {
          const caller = yield* AppCaller
          const customer = yield* orAppUnavailable(ledger.getCustomer(params.user))
          if (Option.isNone(customer) || (caller.apiUser !== undefined && customer.value.reseller !== caller.apiUser)) {
            return yield* notFound("customer")
          }
          const today = calendarDateFromEpochMillis(yield* Clock.currentTimeMillis)
          const overview = yield* orAppUnavailable(overviews.overviewAt(params.user, today))
          if (Option.isNone(overview)) return yield* notFound("customer")
          const cycles = cyclesBack(customer.value.billingAnchor, today, maxPreviousCycles)
          const oldest = cycles[cycles.length - 1]!
          if (page === undefined) return yield* withoutSessions
          const days = yield* orAppUnavailable(page.dailyUsage(params.user, oldest.start, cycles[0]!.end))
          const shown: Array<AppCycle> = cycles.map((cycle) => ({
            start: cycle.start,
            end: cycle.end,
            allowance: overview.value.creditsAllowed,
            days: days.filter((d) => d.day >= cycle.start && d.day <= cycle.end)
          }))
          // The previous cycles back to the oldest that holds usage.
          let keep = shown.length
          while (keep > 1 && shown[keep - 1]!.days.length === 0) keep--
          return {
            user: params.user,
            reseller: customer.value.reseller,
            overview: overview.value,
            cycles: shown.slice(0, keep)
          }
        })
      )
  })
)

/**
 * The page API's handlers and session middleware, for `HttpApiBuilder.layer(ServedApi)`.
 *
 * @since 0.2.0
 * @category layers
 */
export const AppApiHandlers = Layer.mergeAll(SessionHandlers, BookHandlers).pipe(Layer.provide(AppSessionLive))
