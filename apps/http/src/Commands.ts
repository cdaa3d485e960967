/**
 * The server's own command line, `account-overview-server`: `serve` (the
 * default), `migrate`, `seed-demo` and `demo`. A plain argument switch:
 * four commands without options need no parser. Every command logs JSON
 * lines from its first one and reports a failure in one line. Exit codes:
 * 0 success (also after a drained shutdown on SIGTERM/SIGINT), 1 failure,
 * 2 usage. (The operator's command line is `@account-overview/cli`.)
 *
 * @since 0.2.0
 */
import { defaultDatabaseUrl, Ledger } from "@account-overview/store"
import { Console, Effect, Layer, Option } from "effect"
import { HttpServer } from "effect/http"
import { AppLayer } from "./App.js"
import { demoAdminToken, demoBanner, demoCurlLines, seedDemo } from "./Demo.js"
import { LogSink } from "./Log.js"
import { main, runLogged, withSettings } from "./main.js"
import { Settings } from "./Settings.js"
import { overLedger } from "./Store.js"

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
  demo        Migrate, seed the demo, and serve it with an admin token kept in DATA_DIR (pnpm start)
  help        Print this help (also --help, -h)

Environment:
  PORT (3000), HOST (127.0.0.1), DATA_DIR (./data, made absolute at start),
  DATABASE_URL (${defaultDatabaseUrl}), in DATA_DIR when unset),
  LOG_LEVEL (info), RATE_LIMIT_PER_MINUTE (off), AUTH_FAILURE_LIMIT (10), ADMIN_TOKEN,
  TRUST_PROXY (none), REDIS_URL, REDIS_KEY_PREFIX, HEADERS_TIMEOUT_MS (10000), REQUEST_TIMEOUT_MS (30000),
  KEEP_ALIVE_TIMEOUT_MS (5000), SHUTDOWN_TIMEOUT_MS (10000)

Logs are JSON lines on stdout (on stderr for seed-demo, whose stdout is its curl lines).
`

/**
 * `migrate`: runs the pending migrations on the store named by `DATABASE_URL`.
 *
 * @since 0.1.0
 * @category commands
 */
export const migrateCommand = withSettings(
  "migrate",
  Effect.gen(function* () {
    const ran = yield* Ledger.migrateConfig
    yield* Effect.logInfo("database migrated").pipe(
      Effect.annotateLogs({
        ran: ran.length,
        migrations: ran.map(([id, name]) => `${String(id).padStart(4, "0")}_${name}`).join(",")
      })
    )
  })
)

const publicHost = (host: string): string => {
  const local = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host
  return local.includes(":") ? `[${local}]` : local
}

/**
 * `seed-demo`: migrates, seeds the demo and prints the curl lines for
 * `HOST`/`PORT`. Run by `runCommand`, its logs go to stderr, so that
 * stdout holds the curl lines alone.
 *
 * @since 0.1.0
 * @category commands
 */
export const seedDemoCommand = withSettings(
  "seed-demo",
  Effect.gen(function* () {
    const settings = yield* Settings
    const result = yield* seedDemo
    yield* Console.error(`demo seeded: ${result.accepted} new usage events, ${result.duplicates.length} already there`)
    for (const line of demoCurlLines(`http://${publicHost(settings.host)}:${settings.port}`)) {
      yield* Console.log(line)
    }
  }).pipe(Effect.provide(Ledger.layerConfig))
)

const stderrSink = (line: string): void => {
  process.stderr.write(`${line}\n`)
}

/**
 * `demo` (what `pnpm start` runs): migrates and seeds the demo, then serves
 * it with an admin token (`ADMIN_TOKEN` when set, else the one kept in
 * `DATA_DIR`/`admin-token`, made on the first run) and prints, once it
 * listens, the curl lines and the token. Runs until SIGINT or SIGTERM.
 *
 * @since 0.2.0
 * @category commands
 */
export const demoCommand = withSettings(
  "demo",
  Effect.gen(function* () {
    const settings = yield* Settings
    const admin = Option.isSome(settings.adminToken)
      ? ({ _tag: "Environment" } as const)
      : ({ _tag: "Kept", ...(yield* demoAdminToken(settings.dataDir)) } as const)
    const adminToken = admin._tag === "Kept" ? Option.some(admin.token) : settings.adminToken
    const seeded = Layer.effectDiscard(
      Effect.flatMap(seedDemo, (result) =>
        Effect.logInfo("demo seeded").pipe(
          Effect.annotateLogs({ newEvents: result.accepted, alreadyThere: result.duplicates.length })
        )
      )
    ).pipe(Layer.provideMerge(overLedger(Ledger.layerConfig)))
    const served = AppLayer.pipe(
      Layer.provide(seeded),
      Layer.provide(Layer.succeed(Settings, Settings.of({ ...settings, adminToken })))
    )
    const banner = Layer.effectDiscard(
      Effect.gen(function* () {
        const server = yield* HttpServer.HttpServer
        const port = server.address._tag === "UnixPathAddress" ? settings.port : server.address.port
        yield* Console.log(demoBanner(`http://${publicHost(settings.host)}:${port}`, admin))
      })
    )
    return yield* Layer.launch(banner.pipe(Layer.provide(served)))
  })
)

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
  if (rest.length > 0 || (command !== undefined && !["serve", "migrate", "seed-demo", "demo"].includes(command))) {
    process.stderr.write(`account-overview-server: unknown command or extra arguments\n\n${commandsUsage}`)
    process.exitCode = 2
    return
  }
  if (command === "migrate") runLogged("migrate failed", migrateCommand)
  else if (command === "seed-demo")
    runLogged("seed-demo failed", seedDemoCommand.pipe(Effect.provideService(LogSink, stderrSink)), stderrSink)
  else if (command === "demo") runLogged("cannot start the demo", demoCommand)
  else main()
}
