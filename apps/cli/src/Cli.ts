import { isCalendarDate, isTimeZone } from "@account-overview/core"
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { CliFailure } from "./CliFailure.js"

/**
 * The command tree of `account-overview`: names, flags, arguments, help and
 * examples. Handlers live in `commands/` and are loaded only when their
 * command runs, so `--help` never loads the SDK.
 */

export const executable = "account-overview"

const lazy =
  <M, I>(load: () => Promise<M>, run: (module: M, input: I) => Effect.Effect<void, CliFailure>) =>
  (input: I): Effect.Effect<void, CliFailure> =>
    Effect.flatMap(Effect.promise(load), (module) => run(module, input))

const loadOverview = () => import("./commands/Overview.js")
const loadAdmin = () => import("./commands/Admin.js")
const loadImport = () => import("./commands/UsageImport.js")

/** An `admin` command run by a handler of `commands/Admin.ts`, loaded when it runs. */
const adminSubcommand = <Name extends string, const Config extends Command.Command.Config>(
  name: Name,
  config: Config,
  run: (
    module: typeof import("./commands/Admin.js"),
    input: Command.Command.Config.Infer<Config>
  ) => Effect.Effect<void, CliFailure>,
  help: { readonly description: string; readonly examples: ReadonlyArray<Command.Command.Example> }
) =>
  Command.make(name, config, lazy(loadAdmin, run)).pipe(
    Command.withDescription(help.description),
    Command.withExamples(help.examples)
  )

const isDate = (value: string) => isCalendarDate(value)
const dateMessage = (value: string) => `a real calendar date written YYYY-MM-DD, not "${value}"`

const date = (name: string, description: string) =>
  Flag.String(name).pipe(
    Flag.withMetavar("YYYY-MM-DD"),
    Flag.withDescription(description),
    Flag.filter(isDate, dateMessage)
  )

const outputs = <const L extends ReadonlyArray<string>>(choices: L, piped: L[number], extra = "") =>
  Flag.Literals("output", choices).pipe(
    Flag.withAlias("o"),
    Flag.withDescription(
      `Output format (default: table on a terminal, ${piped} otherwise)${extra === "" ? "" : `; ${extra}`}`
    ),
    Flag.optional
  )

/** Output formats of overview-shaped results. */
export const overviewOutputs = ["table", "json", "ndjson", "csv", "xml"] as const
/** Output formats of listings. */
export const listOutputs = ["table", "json", "ndjson", "csv"] as const
/** Output formats of a single record. */
export const recordOutputs = ["table", "json"] as const

export type OverviewOutput = (typeof overviewOutputs)[number]
export type ListOutput = (typeof listOutputs)[number]
export type RecordOutput = (typeof recordOutputs)[number]

const baseUrl = Flag.String("base-url").pipe(
  Flag.withMetavar("URL"),
  Flag.withDescription("Service endpoint, such as http://127.0.0.1:8080 (env ACCOUNT_OVERVIEW_BASE_URL)"),
  Flag.optional
)

const timeoutMs = (fallback: string) =>
  Flag.Int("timeout-ms").pipe(
    Flag.withDescription(`Give up on one attempt of a request after this many milliseconds (default: ${fallback})`),
    Flag.filter(
      (n) => n >= 1,
      () => "a positive number of milliseconds"
    ),
    Flag.optional
  )

const profile = Flag.String("profile").pipe(
  Flag.withMetavar("NAME"),
  Flag.withDescription(
    "Connection settings from this profile of the config file, $XDG_CONFIG_HOME/account-overview/config.json (env ACCOUNT_OVERVIEW_PROFILE)"
  ),
  Flag.optional
)

const fields = Flag.String("fields").pipe(
  Flag.withMetavar("NAME,..."),
  Flag.withDescription("Write only these fields of each JSON object, in this order (JSON output, on a terminal too)"),
  Flag.optional
)

// A zone is checked as core's `TimeZone` checks it, against this runtime's time zone data: the SDK
// checks the request against that schema before sending it, so a zone it refuses is a usage error
// here, said once, as a bad date is. A zone the service's runtime does not know is its 400.
const timeZone = (description: string) =>
  Flag.String("time-zone").pipe(
    Flag.withMetavar("IANA"),
    Flag.withDescription(description),
    Flag.filter(isTimeZone, (value) => `an IANA time zone name such as Europe/London, not ${JSON.stringify(value)}`),
    Flag.optional
  )

const connection = {
  profile,
  baseUrl,
  apiUser: Flag.String("api-user").pipe(
    Flag.withMetavar("NAME"),
    Flag.withDescription("Reseller api_user (env ACCOUNT_OVERVIEW_API_USER)"),
    Flag.optional
  ),
  apiKey: Flag.String("api-key").pipe(
    Flag.withMetavar("KEY"),
    Flag.withDescription(
      "Reseller api_key; visible to other users of this machine, prefer --api-key-stdin or env ACCOUNT_OVERVIEW_API_KEY"
    ),
    Flag.optional
  ),
  apiKeyStdin: Flag.Boolean("api-key-stdin").pipe(
    Flag.withDescription("Read the api_key from the first line of stdin"),
    Flag.withDefault(false)
  ),
  format: Flag.Literals("format", ["json", "xml"]).pipe(
    Flag.withDescription("Wire format of the calls (default: json)"),
    Flag.withDefault("json")
  ),
  dialect: Flag.Literals("dialect", ["v1", "v2"]).pipe(
    Flag.withDescription("Wire dialect: v1 is distributor.account, v2 reseller.account (default: v2)"),
    Flag.withDefault("v2")
  ),
  timeoutMs: timeoutMs("10000")
}

const admin = {
  profile,
  baseUrl,
  adminTokenStdin: Flag.Boolean("admin-token-stdin").pipe(
    Flag.withDescription(
      "Read the operator token from the first line of stdin (else env ACCOUNT_OVERVIEW_ADMIN_TOKEN)"
    ),
    Flag.withDefault(false)
  ),
  timeoutMs: timeoutMs("30000")
}

/** The connection flags of `overview`. */
export interface ConnectionInput {
  readonly profile?: Option.Option<string> | undefined
  readonly baseUrl: Option.Option<string>
  readonly apiUser: Option.Option<string>
  readonly apiKey: Option.Option<string>
  readonly apiKeyStdin: boolean
  readonly format: "json" | "xml"
  readonly dialect: "v1" | "v2"
  readonly timeoutMs: Option.Option<number>
}

/** The connection flags of every `admin` command. */
export interface AdminInput {
  readonly profile?: Option.Option<string> | undefined
  readonly baseUrl: Option.Option<string>
  readonly adminTokenStdin: boolean
  readonly timeoutMs: Option.Option<number>
}

const overviewConfig = {
  ...connection,
  users: Argument.String("user").pipe(
    Argument.withDescription("Customer user names (or none, with --users-file)"),
    Argument.variadic()
  ),
  usersFile: Flag.String("users-file").pipe(
    Flag.withMetavar("PATH|-"),
    Flag.withDescription(
      "Read user names from a file, one a line, or from stdin with -; blank lines and # comments skipped"
    ),
    Flag.optional
  ),
  concurrency: Flag.Int("concurrency").pipe(
    Flag.withDescription("How many overviews are fetched at once (default: 8)"),
    Flag.filter(
      (n) => n >= 1 && n <= 256,
      () => "a number from 1 to 256"
    ),
    Flag.withDefault(8)
  ),
  output: outputs(overviewOutputs, "ndjson", "json: one object for one user argument, an array otherwise"),
  fields
}

/** The parsed input of `overview`. */
export type OverviewInput = Command.Command.Config.Infer<typeof overviewConfig>

const overview = Command.make(
  "overview",
  overviewConfig,
  lazy(loadOverview, (m, input: OverviewInput) => m.overview(input))
).pipe(
  Command.withDescription(
    "Show customers' account overviews: package, credits used of allowed, remaining, overage and billing cycle"
  ),
  Command.withExamples([
    {
      command: `ACCOUNT_OVERVIEW_API_KEY=... ${executable} overview alice@example.com --base-url http://127.0.0.1:8080 --api-user acme`,
      description: "One customer, as a table on a terminal"
    },
    {
      command: `${executable} overview alice@example.com bob@example.com --output csv`,
      description: "Several customers as CSV with a header row"
    },
    {
      command: `grep -v '^#' customers.txt | ${executable} overview --users-file - --output ndjson --concurrency 16`,
      description: "Many customers from stdin, one JSON object per line"
    },
    {
      command: `pass show acme/api-key | ${executable} overview alice@example.com --api-key-stdin --format xml --dialect v1`,
      description: "Key from stdin, the v1 distributor.account call in XML"
    },
    {
      command: `${executable} overview alice@example.com --profile prod --fields user,credits_remain`,
      description: "Settings from the prod profile, two fields of the JSON"
    }
  ])
)

const packagesSetConfig = {
  ...admin,
  name: Argument.String("name").pipe(Argument.withDescription("Package name")),
  credits: Flag.Int("credits").pipe(
    Flag.withDescription("Credits allowed per billing cycle"),
    Flag.filter(
      (n) => n >= 0,
      () => "a whole number of credits, 0 or more"
    )
  ),
  overagePrice: Flag.Finite("overage-price").pipe(
    Flag.withDescription("Price of each credit past the allowance"),
    Flag.filter(
      (n) => n >= 0,
      () => "a price, 0 or more"
    ),
    Flag.optional
  ),
  output: outputs(recordOutputs, "json"),
  fields
}

/** The parsed input of `set`. */
export type PackagesSetInput = Command.Command.Config.Infer<typeof packagesSetConfig>

const packagesSet = Command.make(
  "set",
  packagesSetConfig,
  lazy(loadAdmin, (m, input: PackagesSetInput) => m.packagesSet(input))
).pipe(
  Command.withDescription("Create or update a package"),
  Command.withExamples([{ command: `${executable} admin packages set Silver --credits 50000 --overage-price 0.001` }])
)

const packagesListConfig = { ...admin, output: outputs(listOutputs, "ndjson"), fields }

/** The parsed input of `admin packages list`. */
export type PackagesListInput = Command.Command.Config.Infer<typeof packagesListConfig>

const packagesList = Command.make(
  "list",
  packagesListConfig,
  lazy(loadAdmin, (m, input: PackagesListInput) => m.packagesList(input))
).pipe(
  Command.withDescription("List the packages"),
  Command.withExamples([{ command: `${executable} admin packages list --output csv` }])
)

const packages = Command.make("packages").pipe(
  Command.withDescription("Manage packages: credits per cycle and overage price"),
  Command.withSubcommands([packagesSet, packagesList]),
  Command.withExamples([{ command: `${executable} admin packages list` }])
)

const apiUserArgument = Argument.String("api-user").pipe(Argument.withDescription("The reseller's api_user"))

const resellersSetConfig = {
  ...admin,
  apiUser: apiUserArgument,
  apiKeyStdin: Flag.Boolean("api-key-stdin").pipe(
    Flag.withDescription("Read the reseller's new api_key from stdin instead of generating one"),
    Flag.withDefault(false)
  ),
  timeZone: timeZone(
    "The time zone of its customers that name none, an IANA name such as Europe/London (default: unchanged, UTC for a new reseller)"
  ),
  output: outputs(recordOutputs, "json"),
  fields
}

/** The parsed input of `admin resellers set`. */
export type ResellersSetInput = Command.Command.Config.Infer<typeof resellersSetConfig>

const resellersSet = Command.make(
  "set",
  resellersSetConfig,
  lazy(loadAdmin, (m, input: ResellersSetInput) => m.resellersSet(input))
).pipe(
  Command.withDescription("Create a reseller or set its key or time zone; a generated key is printed once"),
  Command.withExamples([
    { command: `${executable} admin resellers set acme`, description: "Create acme with a generated key" },
    {
      command: `${executable} admin resellers set acme --time-zone America/New_York`,
      description: "Bill the customers of acme that name no zone by New York's days"
    },
    {
      command: `printf '%s\\n' "$KEY" | ${executable} admin resellers set acme --api-key-stdin`,
      description: "Set a key of your choice"
    }
  ])
)

const resellersRotateKeyConfig = { ...admin, apiUser: apiUserArgument, output: outputs(recordOutputs, "json"), fields }

/** The parsed input of `admin resellers rotate-key`. */
export type ResellersRotateKeyInput = Command.Command.Config.Infer<typeof resellersRotateKeyConfig>

const resellersRotateKey = Command.make(
  "rotate-key",
  resellersRotateKeyConfig,
  lazy(loadAdmin, (m, input: ResellersRotateKeyInput) => m.resellersRotateKey(input))
).pipe(
  Command.withDescription("Replace a reseller's key with a generated one, printed once"),
  Command.withExamples([{ command: `${executable} admin resellers rotate-key acme` }])
)

const resellers = Command.make("resellers").pipe(
  Command.withDescription("Manage resellers: their keys and time zones"),
  Command.withSubcommands([resellersSet, resellersRotateKey]),
  Command.withExamples([{ command: `${executable} admin resellers set acme` }])
)

const userArgument = Argument.String("user").pipe(Argument.withDescription("The customer's user name"))

const customersSetConfig = {
  ...admin,
  user: userArgument,
  reseller: Flag.String("reseller").pipe(Flag.withMetavar("API_USER"), Flag.withDescription("Its reseller")),
  package: Flag.String("package").pipe(Flag.withMetavar("NAME"), Flag.withDescription("Its package")),
  billingAnchor: date("billing-anchor", "First day of a billing cycle; cycles start on its day of month"),
  reputation: Flag.Finite("reputation").pipe(
    Flag.withDescription("Reputation, 0 to 100"),
    Flag.filter(
      (n) => n >= 0 && n <= 100,
      () => "a number from 0 to 100"
    )
  ),
  timeZone: timeZone(
    "Its time zone, an IANA name such as Europe/London: its days and billing cycles are local to it (default: none of its own, its reseller's zone, else UTC)"
  ),
  output: outputs(recordOutputs, "json"),
  fields
}

/** The parsed input of `admin customers set`. */
export type CustomersSetInput = Command.Command.Config.Infer<typeof customersSetConfig>

const customersSet = Command.make(
  "set",
  customersSetConfig,
  lazy(loadAdmin, (m, input: CustomersSetInput) => m.customersSet(input))
).pipe(
  Command.withDescription("Create or update a customer"),
  Command.withExamples([
    {
      command: `${executable} admin customers set alice@example.com --reseller acme --package Silver --billing-anchor 2024-01-31 --reputation 100`
    },
    {
      command: `${executable} admin customers set kiri@example.com --reseller acme --package Silver --billing-anchor 2025-01-01 --reputation 100 --time-zone Pacific/Auckland`,
      description: "A customer billed by Auckland's days"
    }
  ])
)

const customersGetConfig = { ...admin, user: userArgument, output: outputs(recordOutputs, "json"), fields }

/** The parsed input of `admin customers get`. */
export type CustomersGetInput = Command.Command.Config.Infer<typeof customersGetConfig>

const customersGet = Command.make(
  "get",
  customersGetConfig,
  lazy(loadAdmin, (m, input: CustomersGetInput) => m.customersGet(input))
).pipe(
  Command.withDescription("Show one customer"),
  Command.withExamples([{ command: `${executable} admin customers get alice@example.com --output json` }])
)

const customersListConfig = {
  ...admin,
  reseller: Flag.String("reseller").pipe(
    Flag.withMetavar("API_USER"),
    Flag.withDescription("Only this reseller's customers"),
    Flag.optional
  ),
  limit: Flag.Int("limit").pipe(
    Flag.withDescription("Print at most this many, then the next cursor on stderr"),
    Flag.filter(
      (n) => n >= 1,
      () => "a positive number"
    ),
    Flag.optional
  ),
  cursor: Flag.String("cursor").pipe(
    Flag.withDescription("Start from this cursor (printed by an earlier --limit run)"),
    Flag.optional
  ),
  output: outputs(listOutputs, "ndjson"),
  fields
}

/** The parsed input of `admin customers list`. */
export type CustomersListInput = Command.Command.Config.Infer<typeof customersListConfig>

const customersList = Command.make(
  "list",
  customersListConfig,
  lazy(loadAdmin, (m, input: CustomersListInput) => m.customersList(input))
).pipe(
  Command.withDescription("List customers, following the pages to the end (or to --limit)"),
  Command.withExamples([
    { command: `${executable} admin customers list --reseller acme --output csv` },
    { command: `${executable} admin customers list --limit 100`, description: "The first 100, then the cursor" },
    {
      command: `${executable} admin customers list --fields user,package`,
      description: "Two fields of each customer, one JSON object a line"
    }
  ])
)

const customersOverviewConfig = {
  ...admin,
  user: userArgument,
  date: date("date", "The day whose billing cycle is shown (default: today, UTC)").pipe(Flag.optional),
  output: outputs(overviewOutputs, "ndjson"),
  fields
}

/** The parsed input of `overview`. */
export type CustomersOverviewInput = Command.Command.Config.Infer<typeof customersOverviewConfig>

const customersOverview = Command.make(
  "overview",
  customersOverviewConfig,
  lazy(loadAdmin, (m, input: CustomersOverviewInput) => m.customersOverview(input))
).pipe(
  Command.withDescription("Show one customer's overview through the operator API"),
  Command.withExamples([{ command: `${executable} admin customers overview alice@example.com --date 2024-02-29` }])
)

/** When `change-package` takes effect: the operator API's `effective`, `nextCycle` written `next-cycle`. */
export const packageChangeEffective = ["next-cycle", "now"] as const

const customersChangePackageConfig = {
  ...admin,
  user: userArgument,
  package: Argument.String("package").pipe(Argument.withDescription("The new package")),
  effective: Flag.Literals("effective", packageChangeEffective).pipe(
    Flag.withDescription(
      "next-cycle: from the next cycle's first day, scheduled (cancel-package-change undoes it); now: from the customer's local today, the current cycle gets the new allowance, credits used so far still count (default: next-cycle)"
    ),
    Flag.withDefault("next-cycle")
  ),
  output: outputs(recordOutputs, "json"),
  fields
}

/** The parsed input of `admin customers change-package`. */
export type CustomersChangePackageInput = Command.Command.Config.Infer<typeof customersChangePackageConfig>

const customersChangePackage = adminSubcommand(
  "change-package",
  customersChangePackageConfig,
  (m, input) => m.customersChangePackage(input),
  {
    description:
      "Change a customer's package from its next cycle or now; prints the package in force and the one scheduled",
    examples: [
      {
        command: `${executable} admin customers change-package alice@example.com Gold`,
        description: "Gold from alice's next billing cycle"
      },
      {
        command: `${executable} admin customers change-package alice@example.com Gold --effective now`,
        description: "Gold at once, for the whole current cycle"
      }
    ]
  }
)

/** The parsed input of `admin customers cancel-package-change`: a customer, as for `get`. */
export type CustomersCancelPackageChangeInput = CustomersGetInput

const customersCancelPackageChange = adminSubcommand(
  "cancel-package-change",
  customersGetConfig,
  (m, input) => m.customersCancelPackageChange(input),
  {
    description: "Cancel a customer's scheduled package change; prints the package in force",
    examples: [{ command: `${executable} admin customers cancel-package-change alice@example.com` }]
  }
)

const customers = Command.make("customers").pipe(
  Command.withDescription("Manage customers: reseller, package, billing anchor, reputation, time zone"),
  Command.withSubcommands([
    customersSet,
    customersGet,
    customersList,
    customersOverview,
    customersChangePackage,
    customersCancelPackageChange
  ]),
  Command.withExamples([{ command: `${executable} admin customers list --reseller acme` }])
)

const usageImportConfig = {
  ...admin,
  file: Argument.String("file").pipe(
    Argument.withMetavar("FILE|-"),
    Argument.withDescription("NDJSON or CSV (header id,user,requests,credits,occurred_at) file, or - for stdin")
  ),
  inputFormat: Flag.Literals("input-format", ["ndjson", "csv"]).pipe(
    Flag.withDescription("Input format (default: by extension, else by the first byte: { is ndjson)"),
    Flag.optional
  ),
  batchSize: Flag.Int("batch-size").pipe(
    Flag.withDescription("Events per request, 1 to 10000 (default: 10000)"),
    Flag.filter(
      (n) => n >= 1 && n <= 10_000,
      () => "a number from 1 to 10000"
    ),
    Flag.withDefault(10_000)
  ),
  dryRun: Flag.Boolean("dry-run").pipe(
    Flag.withDescription("Read and check every event, print the counts, send nothing (no service or token needed)"),
    Flag.withDefault(false)
  ),
  output: outputs(recordOutputs, "json", "the summary"),
  fields
}

/** The parsed input of `import`. */
export type UsageImportInput = Command.Command.Config.Infer<typeof usageImportConfig>

const usageImport = Command.make(
  "import",
  usageImportConfig,
  lazy(loadImport, (m, input: UsageImportInput) => m.usageImport(input))
).pipe(
  Command.withDescription(
    "Stream usage events into the ledger in batches; event ids make a re-run after an interruption safe"
  ),
  Command.withExamples([
    { command: `${executable} admin usage import events.ndjson` },
    { command: `gunzip -c events.csv.gz | ${executable} admin usage import - --input-format csv` },
    {
      command: `${executable} admin usage import events.ndjson --dry-run`,
      description: "Check a file and count its events without sending any"
    }
  ])
)

const usageVoidConfig = {
  ...admin,
  ids: Argument.String("id").pipe(
    Argument.withDescription("Ids of the usage events to void"),
    Argument.variadic({ min: 1 })
  ),
  output: outputs(recordOutputs, "json")
}

/** The parsed input of `admin usage void`. */
export type UsageVoidInput = Command.Command.Config.Infer<typeof usageVoidConfig>

const usageVoid = Command.make(
  "void",
  usageVoidConfig,
  lazy(loadAdmin, (m, input: UsageVoidInput) => m.usageVoid(input))
).pipe(
  Command.withDescription(
    "Void usage events by id: they count in no overview, as if never sent; voiding again changes nothing"
  ),
  Command.withExamples([{ command: `${executable} admin usage void evt-0001 evt-0002` }])
)

const usage = Command.make("usage").pipe(
  Command.withDescription("Import or void usage events"),
  Command.withSubcommands([usageImport, usageVoid]),
  Command.withExamples([{ command: `${executable} admin usage import events.ndjson` }])
)

const overviewsConfig = {
  ...admin,
  reseller: Flag.String("reseller").pipe(Flag.withMetavar("API_USER"), Flag.withDescription("The reseller")),
  date: date("date", "The day whose billing cycles are shown (default: today, UTC)").pipe(Flag.optional),
  output: outputs(overviewOutputs, "ndjson"),
  fields
}

/** The parsed input of `overviews`. */
export type OverviewsInput = Command.Command.Config.Infer<typeof overviewsConfig>

const overviews = Command.make(
  "overviews",
  overviewsConfig,
  lazy(loadAdmin, (m, input: OverviewsInput) => m.overviews(input))
).pipe(
  Command.withDescription("Show the overviews of all of a reseller's customers"),
  Command.withExamples([{ command: `${executable} admin overviews --reseller acme --output csv` }])
)

const cyclesHistoryConfig = {
  ...admin,
  user: userArgument,
  from: date("from", "The first day of the range (default: a year before --to)").pipe(Flag.optional),
  to: date("to", "The last day of the range (default: the customer's local today)").pipe(Flag.optional),
  output: outputs(listOutputs, "ndjson"),
  fields
}

/** The parsed input of `admin cycles history`. */
export type CyclesHistoryInput = Command.Command.Config.Infer<typeof cyclesHistoryConfig>

const cyclesHistory = Command.make(
  "history",
  cyclesHistoryConfig,
  lazy(loadAdmin, (m, input: CyclesHistoryInput) => m.cyclesHistory(input))
).pipe(
  Command.withDescription("List a customer's billing cycles with package, allowance, used, overage and requests"),
  Command.withExamples([{ command: `${executable} admin cycles history alice@example.com --from 2025-01-01` }])
)

const cyclesReportConfig = {
  ...admin,
  reseller: Flag.String("reseller").pipe(Flag.withMetavar("API_USER"), Flag.withDescription("The reseller")),
  closedOn: date("closed-on", "The day the cycles closed (their process date)"),
  output: outputs(listOutputs, "ndjson"),
  fields
}

/** The parsed input of `admin cycles report`. */
export type CyclesReportInput = Command.Command.Config.Infer<typeof cyclesReportConfig>

const cyclesReport = Command.make(
  "report",
  cyclesReportConfig,
  lazy(loadAdmin, (m, input: CyclesReportInput) => m.cyclesReport(input))
).pipe(
  Command.withDescription("The overage report of a reseller's cycles that closed on a day, for billing"),
  Command.withExamples([
    { command: `${executable} admin cycles report --reseller acme --closed-on 2025-05-01 --output csv` }
  ])
)

const cycles = Command.make("cycles").pipe(
  Command.withDescription("Billing cycles: a customer's history, a reseller's overage report"),
  Command.withSubcommands([cyclesHistory, cyclesReport]),
  Command.withExamples([{ command: `${executable} admin cycles history alice@example.com` }])
)

const adminCommand = Command.make("admin").pipe(
  Command.withDescription(
    "Operate the ledger through the operator API (token: env ACCOUNT_OVERVIEW_ADMIN_TOKEN or --admin-token-stdin)"
  ),
  Command.withSubcommands([packages, resellers, customers, usage, overviews, cycles]),
  Command.withExamples([
    { command: `${executable} admin packages set Silver --credits 50000` },
    { command: `${executable} admin usage import events.ndjson` }
  ])
)

/** The root command. */
export const command = Command.make(executable).pipe(
  Command.withDescription("Reseller account overviews (distributor.account v1, reseller.account v2) from a shell"),
  Command.withSubcommands([overview, adminCommand]),
  Command.withExamples([
    { command: `${executable} overview alice@example.com`, description: "A customer's overview" },
    { command: `${executable} admin customers list`, description: "Operator commands" },
    { command: `${executable} --completions bash > /etc/bash_completion.d/${executable}`, description: "Completions" }
  ])
)
