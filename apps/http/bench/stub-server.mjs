#!/usr/bin/env node
// The built service with its store replaced by a constant overview: what the HTTP layer (wire
// listener, parameters, throttles, fiber, encoding, metrics) costs on its own. Used by overview.mjs.
import { Ledger, LedgerOverviews, ResellerKeys } from "@account-overview/store"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect, Layer } from "effect"
import { AppLayer } from "../dist/App.js"
import { teardown } from "../dist/main.js"
import { Settings } from "../dist/Settings.js"
import { constantOverviews } from "./constantOverview.mjs"

const unused = new Proxy({}, { get: () => () => Effect.die("not used by the stub") })
const store = Layer.mergeAll(
  constantOverviews,
  Layer.succeed(Ledger, unused),
  Layer.succeed(LedgerOverviews, unused),
  Layer.succeed(ResellerKeys, unused)
)
Layer.launch(
  AppLayer.pipe(Layer.provide(store), Layer.provide(Settings.layerTest({ port: 0, logLevel: "Info" })))
).pipe(NodeRuntime.runMain({ teardown }))
