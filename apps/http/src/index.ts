/**
 * `@account-overview/http`: the Account Overview microservice as layers, for
 * embedding or testing; the `account-overview-server` command runs it.
 *
 * @since 0.1.0
 */
export * from "./App.js"
export * from "./Commands.js"
export * from "./Demo.js"
export * from "./Lifecycle.js"
export * from "./Log.js"
export * from "./Metrics.js"
export * from "./Ops.js"
export * from "./RuntimeMetrics.js"
// Server.ts's `layer` needs a name of its own before this line can be `export *`.
export * as Server from "./Server.js"
export * from "./Settings.js"
export * from "./Store.js"
export * from "./Throttle.js"
export * from "./Tracing.js"
export * from "./Version.js"
export * from "./WebhookDelivery.js"
export * from "./WebhookTargets.js"
export * from "./wire/Body.js"
export * from "./wire/Handler.js"
