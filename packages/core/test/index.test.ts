import { assert, describe, it } from "@effect/vitest"
import * as AccountOverviews from "../src/AccountOverviews.js"
import * as AlertThresholds from "../src/AlertThresholds.js"
import * as AppApi from "../src/AppApi.js"
import * as Billing from "../src/Billing.js"
import * as CalendarDate from "../src/CalendarDate.js"
import * as Cycles from "../src/Cycles.js"
import * as Errors from "../src/Errors.js"
import * as Core from "../src/index.js"
import * as Json from "../src/Json.js"
import * as LedgerRecords from "../src/LedgerRecords.js"
import * as MediaType from "../src/MediaType.js"
import * as NameKeys from "../src/NameKeys.js"
import * as OperatorApi from "../src/OperatorApi.js"
import * as Overview from "../src/Overview.js"
import * as OverviewRequest from "../src/OverviewRequest.js"
import * as Params from "../src/Params.js"
import * as TimeZone from "../src/TimeZone.js"
import * as WebhookSignature from "../src/WebhookSignature.js"
import * as Webhooks from "../src/Webhooks.js"
import * as WireCodec from "../src/WireCodec.js"
import * as WireRoutes from "../src/WireRoutes.js"
import * as Xml from "../src/Xml.js"

const modules = {
  AccountOverviews,
  AlertThresholds,
  AppApi,
  Billing,
  CalendarDate,
  Cycles,
  Errors,
  Json,
  LedgerRecords,
  MediaType,
  NameKeys,
  OperatorApi,
  Overview,
  OverviewRequest,
  Params,
  TimeZone,
  WebhookSignature,
  Webhooks,
  WireCodec,
  WireRoutes,
  Xml
}

describe("the barrel", () => {
  it("exports every public module's names flat, each from one module, and nothing else", () => {
    const seen = new Map<string, string>()
    for (const [module, exports] of Object.entries(modules)) {
      for (const [name, value] of Object.entries(exports)) {
        assert.isFalse(seen.has(name), `${name} is exported by ${seen.get(name)} and ${module}`)
        seen.set(name, module)
        assert.strictEqual((Core as Record<string, unknown>)[name], value, `${module}.${name}`)
      }
    }
    assert.deepStrictEqual(Object.keys(Core).sort(), [...seen.keys()].sort())
  })
})
