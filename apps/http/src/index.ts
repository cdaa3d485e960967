/**
 * `@account-overview/http`: the Account Overview microservice as layers, for
 * embedding or testing; the `account-overview-server` command runs it.
 *
 * @since 0.1.0
 */
export * as App from "./App.js"
export * as Cli from "./Cli.js"
export * from "./Config.js"
export * as Demo from "./Demo.js"
export * from "./Lifecycle.js"
export * as Log from "./Log.js"
export * from "./Metrics.js"
export * as Ops from "./Ops.js"
export * as Server from "./Server.js"
export * as Store from "./Store.js"
export * from "./Throttle.js"
export * as WireBody from "./wire/Body.js"
export * from "./wire/Handler.js"
