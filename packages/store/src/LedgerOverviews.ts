/**
 * Account overviews computed from the ledger: core's `AccountOverviews`
 * service for the wire (authenticated by reseller key), and
 * `LedgerOverviews` for the operator API (no credentials, any date).
 *
 * A key-only call (`api_user` the literal `apikey`, core's `apiKeyUser`)
 * speaks for the reseller its key names (`resellerOfKey`: a generated key
 * carries its reseller's name) and is then answered as a call naming that
 * reseller: an absent customer, or another reseller's, is a 404 like any
 * other and no failed login. A key that names no reseller (an operator's
 * own key, or one generated before 0.2.0) speaks for the reseller the
 * customer belongs to: the call's one read finds the customer with its
 * reseller's key hash, and the key is checked against that; no such customer
 * reads like an unknown reseller (401).
 *
 * Names are compared without regard to case (core's `nameKey`); `admit`
 * receives the reseller's key, so that every spelling of a reseller is
 * throttled as one.
 *
 * Today is the customer's local date of the Effect `Clock`'s instant, in its
 * time zone (its own, else its reseller's, else UTC): the same local days the
 * usage rollup is kept in.
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
  credits,
  nameKey,
  type Overview,
  type OverviewError,
  type OverviewOptions,
  type Package,
  type Unavailable
} from "@account-overview/core"
import { Context, Effect, Layer, Option, Redacted, Result } from "effect"
import { Ledger } from "./Ledger.js"
import type { OverviewReading, UsageTotals } from "./LedgerModels.js"
import { ResellerKeys, resellerOfKey } from "./ResellerKeys.js"

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
    /** The overview of `user` for the cycle that holds `date` (default: its local today); none when no such customer. */
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
          Effect.clockWith((clock) => ledger.overviewReading(apiUser, user, clock.currentTimeMillisUnsafe()))

        // A named reseller is admitted before the read, as it is known before;
        // a key-only call is read first, to learn whose customer it is.
        const overview = (
          credentials: Credentials,
          user: string,
          options?: OverviewOptions
        ): Effect.Effect<Overview, OverviewError> => {
          const admit = options?.admit
          const named =
            credentials.apiUser !== apiKeyUser ? credentials.apiUser : resellerOfKey(Redacted.value(credentials.apiKey))
          if (named !== undefined) {
            const answered = Effect.flatMap(read(named, user), (reading) => answer(credentials, user, reading))
            return admit === undefined ? answered : Effect.andThen(admit(nameKey(named)), answered)
          }
          return Effect.flatMap(read(undefined, user), (reading) => {
            if (admit === undefined) return answer(credentials, user, reading)
            const found = Option.isSome(reading) ? reading.value.customer : Option.none()
            const reseller = Option.isSome(found) ? nameKey(found.value.customer.reseller) : undefined
            return Effect.andThen(admit(reseller), answer(credentials, user, reading))
          })
        }

        // An operator's overview: the key-only read, its key never checked.
        const overviewOn = (user: string, when: CalendarDate | number) =>
          Effect.map(ledger.overviewReading(undefined, user, when), (reading) => {
            const found = Option.isSome(reading) ? reading.value.customer : Option.none()
            if (Option.isNone(found)) return Option.none<Overview>()
            const { customer, cycle, package: pkg, usage } = found.value
            return Option.some(toOverview(customer, pkg, cycle, usage))
          })

        const now = Effect.clockWith((clock) => Effect.succeed(clock.currentTimeMillisUnsafe()))

        const overviewAt = Effect.fn("LedgerOverviews.overviewAt")(function* (user: string, date?: CalendarDate) {
          return yield* overviewOn(user, date ?? (yield* now))
        })

        const overviewsOfReseller = Effect.fn("LedgerOverviews.overviewsOfReseller")(function* (
          apiUser: string,
          options: {
            readonly date?: CalendarDate | undefined
            readonly limit: number
            readonly cursor?: string | undefined
          }
        ) {
          const when = options.date ?? (yield* now)
          const page = yield* ledger.listCustomers({ reseller: apiUser, limit: options.limit, cursor: options.cursor })
          const items: Array<CustomerOverview> = []
          for (const customer of page.items) {
            // One customer's unreadable usage is that customer's problem; the
            // listing fails only when the store itself does not answer.
            const read = yield* Effect.result(overviewOn(customer.user, when))
            if (Result.isSuccess(read)) {
              if (Option.isSome(read.success)) items.push({ user: customer.user, overview: read.success.value })
            } else {
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
