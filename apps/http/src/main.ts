/**
 * The service's entry point: the app over the store named by
 * `DATABASE_URL`, launched until SIGTERM or SIGINT, which drain it and exit 0.
 *
 * @since 0.1.0
 */
import { Ledger } from "@account-overview/store"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Exit, Layer } from "effect"
import { AppLayer } from "./App.js"
import { Settings } from "./Settings.js"
import { overLedger } from "./Store.js"

/**
 * Exit codes: 0 after a signal (a drained shutdown) or a normal end, 1 on
 * a failure (it was logged).
 *
 * @since 0.1.0
 * @category running
 */
export const teardown = <E, A>(exit: Exit.Exit<A, E>, onExit: (code: number) => void): void =>
  onExit(Exit.isSuccess(exit) || Cause.hasInterruptsOnly(exit.cause) ? 0 : 1)

/**
 * The whole service, settings and store from the environment.
 *
 * @since 0.1.0
 * @category layers
 */
export const MainLayer = AppLayer.pipe(Layer.provide(overLedger(Ledger.layerConfig)), Layer.provide(Settings.layer))

/**
 * Runs the service until a signal.
 *
 * @since 0.1.0
 * @category running
 */
export const main = (): void => Layer.launch(MainLayer).pipe(NodeRuntime.runMain({ teardown }))
