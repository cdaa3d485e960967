// The overview store of the benches that measure the service without its store: one constant
// overview, answered after admitting the caller's reseller as a store that checks keys does, so
// that the throttles run as they do. Used by handler.mjs and stub-server.mjs.
import { AccountOverviews, parseCalendarDate } from "@account-overview/core"
import { Effect, Layer } from "effect"

/** The overview every call answers. */
export const constantOverview = {
  reputation: 100,
  requests: 60000,
  package: "Silver Package",
  creditsAllowed: 50000,
  creditsUsed: 100000,
  creditsRemain: 0,
  creditsOverage: 50000,
  billingStartDate: parseCalendarDate("2026-10-30"),
  billingEndDate: parseCalendarDate("2026-11-29"),
  billingProcessDate: parseCalendarDate("2026-11-30")
}

/** `AccountOverviews` answering `constantOverview`. */
export const constantOverviews = Layer.succeed(
  AccountOverviews,
  AccountOverviews.of({
    overview: (credentials, _user, options) =>
      options?.admit === undefined
        ? Effect.succeed(constantOverview)
        : Effect.as(options.admit(credentials.apiUser), constantOverview)
  })
)
