/**
 * The server's own command line, `account-overview-server`: `serve` (the
 * default), `migrate` and `seed-demo`. A plain argument switch: three
 * commands without options need no parser. Exit codes: 0 success, 1
 * failure, 2 usage. (The operator's command line is `@account-overview/cli`.)
 *
 * @since 0.2.0
 */
import { defaultDatabaseUrl, Ledger } from "@account-overview/store"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Console, Effect, Layer } from "effect"
import { demoCurlLines, demoPageLines, seedDemo } from "./Demo.js"
import { LogLayer } from "./Log.js"
import { main, teardown } from "./main.js"
import { Settings } from "./Settings.js"

/**
 * The help text.
 *
 * @since 0.2.0
 * @category commands
 */
export const commandsUsage = `Usage: account-overview-server [command]

The Account Overview microservice.

Commands:
  serve       Serve the wire endpoints, the operator API and /healthz, /readyz, /metrics (default)
  migrate     Create or upgrade the database schema, then exit
  seed-demo   Migrate, write the demo reseller and customers (idempotent), print curl lines, then exit
  help        Print this help (also --help, -h)

Environment:
  PORT (3000), HOST (127.0.0.1), DATABASE_URL (${defaultDatabaseUrl}),
  LOG_LEVEL (info), RATE_LIMIT_PER_MINUTE (off), AUTH_FAILURE_LIMIT (10), ADMIN_TOKEN,
  TRUST_PROXY (false), HEADERS_TIMEOUT_MS (10000), REQUEST_TIMEOUT_MS (30000),
  KEEP_ALIVE_TIMEOUT_MS (5000), SHUTDOWN_TIMEOUT_MS (10000)
`

const logged = LogLayer.pipe(Layer.provideMerge(Settings.layer))

/**
 * `migrate`: runs the pending migrations on the store named by `DATABASE_URL`.
 *
 * @since 0.1.0
 * @category commands
 */
export const migrateCommand = Effect.gen(function* () {
  yield* Ledger.migrateConfig
  yield* Console.log("database migrated")
}).pipe(Effect.provide(logged))

/**
 * `seed-demo`: migrates, seeds the demo and prints the curl lines for
 * `HOST`/`PORT`.
 *
 * @since 0.1.0
 * @category commands
 */
export const seedDemoCommand = Effect.gen(function* () {
  const settings = yield* Settings
  const result = yield* seedDemo
  yield* Console.error(`demo seeded: ${result.accepted} new usage events, ${result.duplicates.length} already there`)
  const host = settings.host === "0.0.0.0" || settings.host === "::" ? "127.0.0.1" : settings.host
  const baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${settings.port}`
  for (const line of demoCurlLines(baseUrl)) {
    yield* Console.log(line)
  }
  for (const line of demoPageLines(baseUrl)) yield* Console.error(line)
}).pipe(Effect.provide(Layer.merge(Ledger.layerConfig, logged)))

/**
 * Runs the command named by `args` (the process arguments after the
 * script).
 *
 * @since 0.2.0
 * @category commands
 */
export const runCommand = (args: ReadonlyArray<string>): void => {
  const [command, ...rest] = args
  if (command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(commandsUsage)
    return
  }
  if (rest.length > 0 || (command !== undefined && !["serve", "migrate", "seed-demo"].includes(command))) {
    process.stderr.write(`account-overview-server: unknown command or extra arguments\n\n${commandsUsage}`)
    process.exitCode = 2
    return
  }
  if (command === "migrate") NodeRuntime.runMain(migrateCommand, { teardown })
  else if (command === "seed-demo") NodeRuntime.runMain(seedDemoCommand, { teardown })
  else main()
}
