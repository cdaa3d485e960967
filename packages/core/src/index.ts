/**
 * `@account-overview/core`: what an account overview is and how it travels.
 * Models, wire codecs (XML and JSON, v1 and v2), billing math, typed errors
 * and service tags. No I/O.
 *
 * @since 0.1.0
 */
export * from "./AccountOverviews.js"
export * from "./AlertThresholds.js"
export * from "./AppApi.js"
export * from "./Billing.js"
export * from "./CalendarDate.js"
export * from "./Cycles.js"
export * from "./Errors.js"
export * from "./Json.js"
export * from "./LedgerRecords.js"
export * from "./MediaType.js"
export * from "./NameKeys.js"
export * from "./OperatorApi.js"
export * from "./Overview.js"
export * from "./OverviewRequest.js"
export * from "./Params.js"
export * from "./TimeZone.js"
export * from "./WebhookSignature.js"
export * from "./Webhooks.js"
export * from "./WireCodec.js"
export * from "./WireRoutes.js"
export * from "./Xml.js"
