/**
 * Account overviews computed from the ledger: core's `AccountOverviews`
 * service for the wire (authenticated by reseller key), and
 * `LedgerOverviews` for the operator API (no credentials, any date).
 *
 * A key-only call (`api_user` the literal `apikey`, core's `apiKeyUser`)
 * speaks for the reseller the customer belongs to: the call's one read finds
 * the customer with its reseller's key hash, and the key is checked against
 * that. No such customer reads like an unknown reseller (401).
 *
 * Today is the UTC calendar date of the Effect `Clock`, the same UTC days
 * the usage rollup is kept in.
 *
 * @since 0.1.0
 */
import {
  AccountOverviews,
  AuthenticationFailed,
  apiKeyUser,
  type BillingCycle,
  type CalendarDate,
  type Credentials,
  type Customer,
  CustomerNotFound,
  calendarDateFromEpochMillis,
  credits,
  cycleFor,
  type Overview,
  type OverviewError,
  type OverviewOptions,
  type Package,
  type Unavailable
} from "@account-overview/core"
import { Context, Effect, Layer, Option, Result } from "effect"
import { Ledger } from "./Ledger.js"
import type { OverviewReading, UsageTotals } from "./LedgerModels.js"
import { ResellerKeys } from "./ResellerKeys.js"

/**
 * One customer's overview in a page of a reseller's customers.
 *
 * @since 0.1.0
 * @category models
 */
export type CustomerOverview =
  | { readonly user: string; readonly overview: Overview }
  | {
      readonly user: string
      /**
       * Why this customer's overview could not be read while the store
       * answers (its stored usage does not read back).
       *
       * @since 0.2.0
       */
      readonly problem: string
    }

/**
 * The `problem` of a listed customer whose overview could not be read.
 *
 * @since 0.2.0
 * @category constants
 */
export const unreadableOverview = "this customer's overview could not be read; the others are listed"

/**
 * A page of overviews, with the cursor of the next page when there is one.
 *
 * @since 0.1.0
 * @category models
 */
export interface OverviewPage {
  readonly items: ReadonlyArray<CustomerOverview>
  readonly nextCursor?: string
}

/**
 * Overviews for the operator: any customer, at any date, without
 * credentials.
 *
 * @since 0.1.0
 * @category services
 */
export class LedgerOverviews extends Context.Service<
  LedgerOverviews,
  {
    /** The overview of `user` for the cycle that holds `date` (default: today, UTC); none when no such customer. */
    readonly overviewAt: (user: string, date?: CalendarDate) => Effect.Effect<Option.Option<Overview>, Unavailable>
    /** Overviews of a reseller's customers, ordered by `user`, a page at a time; one whose usage does not read back carries a `problem`. */
    readonly overviewsOfReseller: (
      apiUser: string,
      options: {
        readonly date?: CalendarDate | undefined
        readonly limit: number
        readonly cursor?: string | undefined
      }
    ) => Effect.Effect<OverviewPage, Unavailable>
  }
>()("@account-overview/store/LedgerOverviews") {
  /**
   * Both `AccountOverviews` (what the microservice serves) and
   * `LedgerOverviews`, from the ledger and the reseller keys.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layer: Layer.Layer<AccountOverviews | LedgerOverviews, never, Ledger | ResellerKeys> =
    Layer.effectContext(
      Effect.gen(function* () {
        const ledger = yield* Ledger
        const keys = yield* ResellerKeys

        // Today's UTC date, formatted again only when the day changes.
        let todayNumber = Number.NaN
        let todayDate = "" as CalendarDate
        const today: Effect.Effect<CalendarDate> = Effect.clockWith((clock) => {
          const millis = clock.currentTimeMillisUnsafe()
          const day = Math.floor(millis / 86_400_000)
          if (day !== todayNumber) {
            todayDate = calendarDateFromEpochMillis(millis)
            todayNumber = day
          }
          return Effect.succeed(todayDate)
        })

        const toOverview = (customer: Customer, pkg: Package, cycle: BillingCycle, usage: UsageTotals): Overview => {
          const { overage, remain } = credits(pkg.credits, usage.credits)
          return {
            reputation: customer.reputation,
            requests: usage.requests,
            package: pkg.name,
            creditsAllowed: pkg.credits,
            creditsUsed: usage.credits,
            creditsRemain: remain,
            creditsOverage: overage,
            billingStartDate: cycle.start,
            billingEndDate: cycle.end,
            billingProcessDate: cycle.processDate
          }
        }

        const overviewOf = (customer: Customer, pkg: Package, date: CalendarDate) => {
          const cycle = cycleFor(customer.billingAnchor, date)
          return Effect.map(ledger.usageBetween(customer.user, cycle.start, cycle.end), (usage) =>
            toOverview(customer, pkg, cycle, usage)
          )
        }

        // The hot path: one read of the ledger (usage included), the caller's
        // admission of the reseller the call speaks for, then the key check
        // before anything read is shown; one flatMap per step.
        const answer = (
          credentials: Credentials,
          user: string,
          reading: Option.Option<OverviewReading>
        ): Effect.Effect<Overview, OverviewError> => {
          if (Option.isNone(reading)) {
            return Effect.andThen(keys.verifyAbsent(credentials.apiKey), Effect.fail(new AuthenticationFailed()))
          }
          return Effect.flatMap(
            keys.verify(reading.value.keyHash, credentials.apiKey),
            (verified): Effect.Effect<Overview, OverviewError> => {
              if (!verified) return Effect.fail(new AuthenticationFailed())
              const found = reading.value.customer
              if (Option.isNone(found)) return Effect.fail(new CustomerNotFound({ user }))
              const { customer, cycle, package: pkg, usage } = found.value
              return Effect.succeed(toOverview(customer, pkg, cycle, usage))
            }
          )
        }

        const read = (apiUser: string | undefined, user: string) =>
          Effect.flatMap(today, (date) => ledger.overviewReading(apiUser, user, date))

        // A named reseller is admitted before the read, as it is known before;
        // a key-only call is read first, to learn whose customer it is.
        const overview = (
          credentials: Credentials,
          user: string,
          options?: OverviewOptions
        ): Effect.Effect<Overview, OverviewError> => {
          const admit = options?.admit
          if (credentials.apiUser !== apiKeyUser) {
            const answered = Effect.flatMap(read(credentials.apiUser, user), (reading) =>
              answer(credentials, user, reading)
            )
            return admit === undefined ? answered : Effect.andThen(admit(credentials.apiUser), answered)
          }
          return Effect.flatMap(read(undefined, user), (reading) => {
            if (admit === undefined) return answer(credentials, user, reading)
            const found = Option.isSome(reading) ? reading.value.customer : Option.none()
            const reseller = Option.isSome(found) ? found.value.customer.reseller : undefined
            return Effect.andThen(admit(reseller), answer(credentials, user, reading))
          })
        }

        const packagesByName = Effect.map(
          Effect.suspend(() => ledger.listPackages()),
          (packages) => new Map(packages.map((p) => [p.name, p]))
        )

        const overviewAt = Effect.fn("LedgerOverviews.overviewAt")(function* (user: string, date?: CalendarDate) {
          const customer = yield* ledger.getCustomer(user)
          if (Option.isNone(customer)) return Option.none<Overview>()
          const pkg = (yield* packagesByName).get(customer.value.package)
          if (pkg === undefined) return Option.none<Overview>()
          return Option.some(yield* overviewOf(customer.value, pkg, date ?? (yield* today)))
        })

        const overviewsOfReseller = Effect.fn("LedgerOverviews.overviewsOfReseller")(function* (
          apiUser: string,
          options: {
            readonly date?: CalendarDate | undefined
            readonly limit: number
            readonly cursor?: string | undefined
          }
        ) {
          const date = options.date ?? (yield* today)
          const page = yield* ledger.listCustomers({ reseller: apiUser, limit: options.limit, cursor: options.cursor })
          const packages = yield* packagesByName
          const items: Array<CustomerOverview> = []
          for (const customer of page.items) {
            const pkg = packages.get(customer.package)
            if (pkg === undefined) continue
            // One customer's unreadable usage is that customer's problem; the
            // listing fails only when the store itself does not answer.
            const read = yield* Effect.result(overviewOf(customer, pkg, date))
            if (Result.isSuccess(read)) items.push({ user: customer.user, overview: read.success })
            else {
              yield* ledger.ping()
              items.push({ user: customer.user, problem: unreadableOverview })
            }
          }
          return page.nextCursor === undefined ? { items } : { items, nextCursor: page.nextCursor }
        })

        return Context.make(AccountOverviews, AccountOverviews.of({ overview })).pipe(
          Context.add(LedgerOverviews, LedgerOverviews.of({ overviewAt, overviewsOfReseller }))
        )
      })
    )
}
