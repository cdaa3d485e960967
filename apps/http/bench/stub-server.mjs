#!/usr/bin/env node
// The built service with its store replaced by a constant overview: what the HTTP layer (wire
// listener, parameters, throttles, fiber, encoding, metrics) costs on its own. Used by overview.mjs.
import { AccountOverviews } from "@account-overview/core"
import { Ledger, LedgerOverviews, ResellerKeys } from "@account-overview/store"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect, Layer } from "effect"
import { AppLayer } from "../dist/App.js"
import { teardown } from "../dist/main.js"
import { Settings } from "../dist/Settings.js"

const overview = {
  reputation: 100,
  requests: 60000,
  package: "Silver Package",
  creditsAllowed: 50000,
  creditsUsed: 100000,
  creditsRemain: 0,
  creditsOverage: 50000,
  billingStartDate: "2026-10-30",
  billingEndDate: "2026-11-29",
  billingProcessDate: "2026-11-30"
}
const unused = new Proxy({}, { get: () => () => Effect.die("not used by the stub") })
const store = Layer.mergeAll(
  // Admits the caller's reseller as a store that checks keys does, so the throttles run as they do.
  Layer.succeed(
    AccountOverviews,
    AccountOverviews.of({
      overview: (credentials, _user, options) =>
        options?.admit === undefined
          ? Effect.succeed(overview)
          : Effect.as(options.admit(credentials.apiUser), overview)
    })
  ),
  Layer.succeed(Ledger, unused),
  Layer.succeed(LedgerOverviews, unused),
  Layer.succeed(ResellerKeys, unused)
)
Layer.launch(
  AppLayer.pipe(Layer.provide(store), Layer.provide(Settings.layerTest({ port: 0, logLevel: "Info" })))
).pipe(NodeRuntime.runMain({ teardown }))
