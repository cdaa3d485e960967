import { OperatorApi, OperatorInvalid } from "@account-overview/core"
import { Ledger, LedgerOverviews, ResellerKeys } from "@account-overview/store"
import { Effect, Option, Redacted } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { defaultLimit } from "./Customers.js"
import { notFound, orUnavailable } from "./Errors.js"

const maxKeyLength = 512

/**
 * Why a key given by the operator is refused, without echoing it; `undefined` when it is fine.
 *
 * @since 0.1.0
 * @category validation
 */
export const keyProblem = (key: string): string | undefined =>
  key.length === 0 || key.length > maxKeyLength
    ? `apiKey must hold 1 to ${maxKeyLength} characters`
    : key.trim() !== key || /[\u0000-\u001f\u007f]/.test(key)
      ? "apiKey must not hold control characters or surrounding white space"
      : undefined

/**
 * `PUT /v1/resellers/{apiUser}`, `POST /v1/resellers/{apiUser}/rotate-key`,
 * `GET /v1/resellers/{apiUser}/overviews`.
 *
 * @since 0.1.0
 * @category handlers
 */
export const ResellersHandlers = HttpApiBuilder.group(
  OperatorApi,
  "resellers",
  Effect.fnUntraced(function* (handlers) {
    const ledger = yield* Ledger
    const keys = yield* ResellerKeys
    const overviews = yield* LedgerOverviews

    const requireReseller = (apiUser: string) =>
      ledger.getReseller(apiUser).pipe(
        orUnavailable,
        Effect.flatMap((found) => (Option.isNone(found) ? Effect.fail(notFound("reseller", apiUser)) : Effect.void))
      )

    // A reseller-level default time zone (since 0.2.0), set when given, after the key.
    const withTimeZone =
      <
        Args extends {
          readonly params: { readonly apiUser: string }
          readonly payload: { readonly timeZone?: string }
        },
        A,
        E,
        R
      >(
        set: (args: Args) => Effect.Effect<A, E, R>
      ) =>
      (args: Args) =>
        Effect.tap(set(args), () =>
          args.payload.timeZone === undefined
            ? Effect.void
            : ledger.setResellerTimeZone(args.params.apiUser, args.payload.timeZone).pipe(orUnavailable)
        )

    return handlers.handleAll({
      set: withTimeZone(
        Effect.fnUntraced(function* ({ params, payload }) {
          if (payload.apiKey !== undefined) {
            const problem = keyProblem(payload.apiKey)
            if (problem !== undefined) {
              return yield* new OperatorInvalid({
                message: problem,
                problems: [{ index: 0, field: "apiKey", message: problem }]
              })
            }
            const { created } = yield* ledger
              .upsertReseller(params.apiUser, Redacted.make(payload.apiKey))
              .pipe(orUnavailable)
            return { apiUser: params.apiUser, created }
          }
          const existing = yield* ledger.getReseller(params.apiUser).pipe(orUnavailable)
          if (Option.isSome(existing)) return { apiUser: params.apiUser, created: false }
          const key = yield* keys.generate()
          const { created } = yield* ledger.upsertReseller(params.apiUser, key).pipe(orUnavailable)
          return { apiUser: params.apiUser, created, apiKey: Redacted.value(key) }
        })
      ),
      rotateKey: Effect.fnUntraced(function* ({ params }) {
        yield* requireReseller(params.apiUser)
        const key = yield* keys.generate()
        yield* ledger.upsertReseller(params.apiUser, key).pipe(orUnavailable)
        return { apiUser: params.apiUser, created: false, apiKey: Redacted.value(key) }
      }),
      overviews: Effect.fnUntraced(function* ({ params, query }) {
        yield* requireReseller(params.apiUser)
        return yield* overviews
          .overviewsOfReseller(params.apiUser, {
            date: query.date,
            limit: query.limit ?? defaultLimit,
            cursor: query.cursor
          })
          .pipe(orUnavailable)
      })
    })
  })
)
