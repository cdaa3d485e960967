/**
 * The declaration of the page's JSON API (`/app/api/...`): signing in and
 * out, the book of one reseller, one customer with its daily credits. Every
 * call but signing in runs in a session named by the `ao_session` cookie
 * (`HttpOnly`, `SameSite=Strict`); every state-changing call also carries
 * the session's CSRF token in the `X-CSRF-Token` header. A reseller's
 * session reaches that reseller's customers only; the operator's reaches
 * every reseller.
 *
 * @since 0.2.0
 */
import { Context, Schema } from "effect"
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiMiddleware, HttpApiSecurity, OpenApi } from "effect/http-api"
import { CalendarDate } from "./CalendarDate.js"
import { Name, Page } from "./LedgerRecords.js"
import { CustomerOverview } from "./OperatorApi.js"
import { Count, Overview } from "./Overview.js"

/**
 * No session, an expired or revoked one, or a failed sign-in.
 *
 * @since 0.2.0
 * @category errors
 */
export class AppUnauthorized extends Schema.TaggedError<AppUnauthorized>("@account-overview/core/AppUnauthorized")(
  "AppUnauthorized",
  { message: Schema.String },
  { httpApiStatus: 401 }
) {}

/**
 * A state-changing call without the session's CSRF token, or from another
 * origin.
 *
 * @since 0.2.0
 * @category errors
 */
export class AppForbidden extends Schema.TaggedError<AppForbidden>("@account-overview/core/AppForbidden")(
  "AppForbidden",
  { message: Schema.String },
  { httpApiStatus: 403 }
) {}

/**
 * A reseller or customer the session cannot see (or that does not exist:
 * the two are not told apart).
 *
 * @since 0.2.0
 * @category errors
 */
export class AppNotFound extends Schema.TaggedError<AppNotFound>("@account-overview/core/AppNotFound")(
  "AppNotFound",
  { message: Schema.String },
  { httpApiStatus: 404 }
) {}

/**
 * Too many failed sign-ins (the same throttles as the wire).
 *
 * @since 0.2.0
 * @category errors
 */
export class AppRateLimited extends Schema.TaggedError<AppRateLimited>("@account-overview/core/AppRateLimited")(
  "AppRateLimited",
  { message: Schema.String, retryAfterSeconds: Schema.Int },
  { httpApiStatus: 429 }
) {}

/**
 * The store is unavailable.
 *
 * @since 0.2.0
 * @category errors
 */
export class AppUnavailable extends Schema.TaggedError<AppUnavailable>("@account-overview/core/AppUnavailable")(
  "AppUnavailable",
  { message: Schema.String },
  { httpApiStatus: 503 }
) {}

/**
 * The session cookie's name.
 *
 * @since 0.2.0
 * @category constants
 */
export const appSessionCookie = "ao_session"

/**
 * The header that carries the session's CSRF token.
 *
 * @since 0.2.0
 * @category constants
 */
export const appCsrfHeader = "x-csrf-token"

/**
 * Who a session speaks for: a reseller, or the operator (`apiUser` absent).
 *
 * @since 0.2.0
 * @category models
 */
export const AppSessionInfo = Schema.Struct({
  apiUser: Schema.optionalKey(Schema.String),
  operator: Schema.Boolean,
  csrfToken: Schema.String,
  expiresAt: Schema.String
})

/**
 * @since 0.2.0
 * @category models
 */
export interface AppSessionInfo extends Schema.Schema.Type<typeof AppSessionInfo> {}

/**
 * A sign-in: a reseller's `apiUser` and `apiKey`, or the operator's
 * `adminToken`.
 *
 * @since 0.2.0
 * @category models
 */
export const AppSignIn = Schema.Struct({
  apiUser: Schema.optionalKey(Schema.String),
  apiKey: Schema.optionalKey(Schema.String),
  adminToken: Schema.optionalKey(Schema.String)
})

/**
 * One day of a customer's usage.
 *
 * @since 0.2.0
 * @category models
 */
export const AppDay = Schema.Struct({ day: CalendarDate, requests: Count, credits: Count })

/**
 * @since 0.2.0
 * @category models
 */
export interface AppDay extends Schema.Schema.Type<typeof AppDay> {}

/**
 * One billing cycle of a customer and its days with usage.
 *
 * @since 0.2.0
 * @category models
 */
export const AppCycle = Schema.Struct({
  start: CalendarDate,
  end: CalendarDate,
  allowance: Count,
  days: Schema.Array(AppDay)
})

/**
 * @since 0.2.0
 * @category models
 */
export interface AppCycle extends Schema.Schema.Type<typeof AppCycle> {}

/**
 * One customer: its overview (as the wire gives it) and its cycles, the
 * current one first, then the previous ones the ledger holds usage for.
 *
 * @since 0.2.0
 * @category models
 */
export const AppCustomer = Schema.Struct({
  user: Schema.String,
  reseller: Schema.String,
  overview: Overview,
  cycles: Schema.Array(AppCycle)
})

/**
 * @since 0.2.0
 * @category models
 */
export interface AppCustomer extends Schema.Schema.Type<typeof AppCustomer> {}

/**
 * The most rows one page of the book holds.
 *
 * @since 0.2.0
 * @category constants
 */
export const appBookMaxLimit = 2000

/**
 * The session a page call runs in, provided by the `AppSession` middleware:
 * the reseller it speaks for (`undefined`: the operator), the hash of its
 * token, its CSRF token and its expiry (epoch milliseconds).
 *
 * @since 0.2.0
 * @category services
 */
export class AppCaller extends Context.Service<
  AppCaller,
  {
    readonly apiUser: string | undefined
    readonly tokenHash: string
    readonly csrfToken: string
    readonly expiresAt: number
  }
>()("@account-overview/core/AppCaller") {}

/**
 * The session middleware: the `ao_session` cookie names the session; a
 * state-changing call also needs the `X-CSRF-Token` header and a same-origin
 * `Origin`.
 *
 * @since 0.2.0
 * @category middleware
 */
export class AppSession extends HttpApiMiddleware.Service<AppSession, { provides: AppCaller }>()(
  "@account-overview/core/AppSession",
  {
    security: { session: HttpApiSecurity.apiKey({ in: "cookie", key: appSessionCookie }) },
    error: [AppUnauthorized, AppForbidden, AppUnavailable]
  }
) {}

const signInErrors = [AppUnauthorized, AppForbidden, AppRateLimited, AppUnavailable] as const

/**
 * Signing in (sets the session cookie), reading and ending the session.
 *
 * @since 0.2.0
 * @category groups
 */
export class AppSessionGroup extends HttpApiGroup.make("appSession")
  .add(
    HttpApiEndpoint.post("signIn", "/", {
      payload: AppSignIn,
      success: AppSessionInfo,
      error: signInErrors
    }).annotate(OpenApi.Summary, "Sign in with a reseller's api_user and api_key, or the admin token"),
    HttpApiEndpoint.get("current", "/", { success: AppSessionInfo })
      .middleware(AppSession)
      .annotate(OpenApi.Summary, "The current session and its CSRF token"),
    HttpApiEndpoint.delete("signOut", "/", { success: Schema.Void })
      .middleware(AppSession)
      .annotate(OpenApi.Summary, "Sign out: the session is revoked on the server")
  )
  .prefix("/app/api/session")
  .annotateMerge(OpenApi.annotations({ description: "The page's sessions (cookie `ao_session`)." })) {}

/**
 * The book: the resellers a session sees, a reseller's customers with their
 * overviews, one customer with its daily credits.
 *
 * @since 0.2.0
 * @category groups
 */
export class AppBookGroup extends HttpApiGroup.make("appBook")
  .add(
    HttpApiEndpoint.get("resellers", "/resellers", {
      success: Schema.Array(Schema.String),
      error: [AppUnavailable]
    }).annotate(OpenApi.Summary, "The resellers the session sees (a reseller: itself)"),
    HttpApiEndpoint.get("book", "/resellers/:apiUser/customers", {
      params: { apiUser: Name },
      query: {
        limit: Schema.optionalKey(
          Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: appBookMaxLimit })))
        ),
        cursor: Schema.optionalKey(Schema.String)
      },
      success: Page(CustomerOverview),
      error: [AppNotFound, AppUnavailable]
    }).annotate(OpenApi.Summary, "One page of a reseller's customers with their overviews"),
    HttpApiEndpoint.get("customer", "/customers/:user", {
      params: { user: Name },
      success: AppCustomer,
      error: [AppNotFound, AppUnavailable]
    }).annotate(OpenApi.Summary, "One customer: its overview and its daily credits per cycle")
  )
  .middleware(AppSession)
  .prefix("/app/api")
  .annotateMerge(OpenApi.annotations({ description: "The page's data, scoped to the session's reseller." })) {}

/**
 * The page's API, to add to the served API (`OperatorApi.addHttpApi(AppApi)`).
 *
 * @since 0.2.0
 * @category api
 */
export class AppApi extends HttpApi.make("account-overview-app").add(AppSessionGroup).add(AppBookGroup) {}
