import {
  type CalendarDate,
  type Customer,
  type CustomerCycle,
  calendarDateFromEpochMillis,
  type Overview,
  type Package,
  type PackageAssignments,
  type ResellerCycleLine,
  type VoidResult
} from "@account-overview/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type {
  CustomersCancelPackageChangeInput,
  CustomersChangePackageInput,
  CustomersGetInput,
  CustomersListInput,
  CustomersOverviewInput,
  CustomersSetInput,
  CyclesHistoryInput,
  CyclesReportInput,
  ListOutput,
  OverviewOutput,
  OverviewsInput,
  PackagesListInput,
  PackagesSetInput,
  RecordOutput,
  ResellersRotateKeyInput,
  ResellersSetInput,
  UsageVoidInput
} from "../Cli.js"
import { type CliFailure, ExitCode, usageError } from "../CliFailure.js"
import { chooseFields, chooseOutput, pick } from "../Fields.js"
import { errLine, out, registerSecret, streams } from "../Io.js"
import { withOperator } from "../Operator.js"
import { overviewKeys, overviewWriter } from "../Output.js"
import { type Field, fieldKeys, listWriter, onlyFields, type RecordsWriter, writeRecord } from "../Records.js"
import { readSecretLine } from "../Stdin.js"
import { keyValues, style } from "../Table.js"

/**
 * The `account-overview admin ...` commands over the operator API.
 */

/** A listing's output and fields, from `--output` and `--fields`. */
const listChoice = <A>(
  input: { readonly output: Option.Option<ListOutput>; readonly fields: Option.Option<string> },
  fields: ReadonlyArray<Field<A>>
) =>
  Effect.flatMap(chooseFields(input.fields, fieldKeys(fields)), (names) =>
    Effect.map(chooseOutput<ListOutput>(input.output, names, { terminal: "table", piped: "ndjson" }), (output) => ({
      output,
      fields: onlyFields(fields, names)
    }))
  )

/** A record's output and fields, from `--output` and `--fields`. */
const recordChoice = <A>(
  input: { readonly output: Option.Option<RecordOutput>; readonly fields: Option.Option<string> },
  fields: ReadonlyArray<Field<A>>
) =>
  Effect.flatMap(chooseFields(input.fields, fieldKeys(fields)), (names) =>
    Effect.map(chooseOutput<RecordOutput>(input.output, names, { terminal: "table", piped: "json" }), (output) => ({
      output,
      fields: onlyFields(fields, names)
    }))
  )

const packageFields: ReadonlyArray<Field<Package>> = [
  { key: "name", header: "NAME", get: (p) => p.name },
  { key: "credits", header: "CREDITS", get: (p) => p.credits, align: "right" },
  { key: "overagePrice", header: "OVERAGE PRICE", get: (p) => p.overagePrice, align: "right" }
]

const customerFields: ReadonlyArray<Field<Customer>> = [
  { key: "user", header: "USER", get: (c) => c.user },
  { key: "reseller", header: "RESELLER", get: (c) => c.reseller },
  { key: "package", header: "PACKAGE", get: (c) => c.package },
  { key: "billingAnchor", header: "BILLING ANCHOR", get: (c) => c.billingAnchor },
  { key: "reputation", header: "REPUTATION", get: (c) => c.reputation, align: "right" },
  { key: "timeZone", header: "TIME ZONE", get: (c) => c.timeZone }
]

interface KeyResult {
  readonly apiUser: string
  readonly created: boolean
  readonly apiKey?: string | undefined
}

const keyFields: ReadonlyArray<Field<KeyResult>> = [
  { key: "apiUser", header: "API USER", get: (r) => r.apiUser },
  { key: "created", header: "CREATED", get: (r) => r.created },
  { key: "apiKey", header: "API KEY", get: (r) => r.apiKey }
]

const colors = () => streams().stdoutColors

/** The output and fields of overviews, from `--output` and `--fields`. */
const overviewsChoice = (input: {
  readonly output: Option.Option<OverviewOutput>
  readonly fields: Option.Option<string>
}) =>
  Effect.flatMap(chooseFields(input.fields, overviewKeys), (fields) =>
    Effect.map(
      chooseOutput<OverviewOutput>(input.output, fields, { terminal: "table", piped: "ndjson" }),
      (output) => ({
        output,
        fields
      })
    )
  )

/** Overviews as the operator API gives them (v1 names), in the chosen output. */
const overviewsWriter = (
  choice: { readonly output: OverviewOutput; readonly fields: ReadonlyArray<string> | undefined },
  single: boolean,
  today: CalendarDate
) => {
  const io = streams()
  return overviewWriter({
    output: choice.output,
    single,
    dialect: "v1",
    today,
    colors: io.stdoutColors,
    unicode: io.stdoutIsTerminal,
    fields: choice.fields
  })
}

export const packagesSet = Effect.fn("packagesSet")(function* (input: PackagesSetInput) {
  const choice = yield* recordChoice(input, packageFields)
  const saved = yield* withOperator(input, { subject: { kind: "package", name: input.name } }, (client) =>
    client.packages.set(input.name, {
      credits: input.credits,
      ...(Option.isSome(input.overagePrice) ? { overagePrice: input.overagePrice.value } : {})
    })
  )
  writeRecord(choice.output, choice.fields, saved, colors())
})

const printAll = <A>(writer: RecordsWriter<A>, items: ReadonlyArray<A>): void => {
  for (const item of items) writer.write(item)
  writer.end()
}

export const packagesList = Effect.fn("packagesList")(function* (input: PackagesListInput) {
  const choice = yield* listChoice(input, packageFields)
  const all = yield* withOperator(input, {}, (client) => client.packages.list())
  printAll(listWriter(choice.output, choice.fields, colors()), all)
})

const writeKeyResult = (
  choice: { readonly output: RecordOutput; readonly fields: ReadonlyArray<Field<KeyResult>> },
  result: KeyResult
) => {
  if (result.apiKey !== undefined) registerSecret(result.apiKey)
  if (choice.output === "json") return writeRecord("json", choice.fields, result, colors())
  out(`${result.created ? "created" : "updated"} reseller "${result.apiUser}"\n`)
  if (result.apiKey !== undefined) {
    out(`api key: ${result.apiKey}\n`)
    errLine("note: the api key is shown this once; store it now")
  }
}

export const resellersSet = Effect.fn("resellersSet")(function* (input: ResellersSetInput) {
  if (input.apiKeyStdin && input.adminTokenStdin)
    return yield* usageError(
      "--admin-token-stdin and --api-key-stdin both read stdin; set ACCOUNT_OVERVIEW_ADMIN_TOKEN instead"
    )
  const choice = yield* recordChoice(input, keyFields)
  const apiKey = input.apiKeyStdin ? yield* readSecretLine("api key") : undefined
  registerSecret(apiKey)
  const result = yield* withOperator(input, { subject: { kind: "reseller", name: input.apiUser } }, (client) =>
    client.resellers.set(input.apiUser, {
      ...(apiKey === undefined ? {} : { apiKey }),
      ...(Option.isSome(input.timeZone) ? { timeZone: input.timeZone.value } : {})
    })
  )
  writeKeyResult(choice, result)
})

export const resellersRotateKey = Effect.fn("resellersRotateKey")(function* (input: ResellersRotateKeyInput) {
  const choice = yield* recordChoice(input, keyFields)
  const result = yield* withOperator(input, { subject: { kind: "reseller", name: input.apiUser } }, (client) =>
    client.resellers.rotateKey(input.apiUser)
  )
  writeKeyResult(choice, result)
})

export const customersSet = Effect.fn("customersSet")(function* (input: CustomersSetInput) {
  const choice = yield* recordChoice(input, customerFields)
  const saved = yield* withOperator(input, { subject: { kind: "customer", name: input.user } }, (client) =>
    client.customers.set(input.user, {
      reseller: input.reseller,
      package: input.package,
      billingAnchor: input.billingAnchor as CalendarDate,
      reputation: input.reputation,
      ...(Option.isSome(input.timeZone) ? { timeZone: input.timeZone.value } : {})
    })
  )
  writeRecord(choice.output, choice.fields, saved, colors())
})

/** The keys of a package assignment in JSON (the operator API's): what `--fields` may name. */
const assignmentKeys = ["user", "current", "scheduled"]

/** The package in force and the one scheduled: the operator API's object in JSON, `key  value` lines in a table. */
const writeAssignments = (
  output: RecordOutput,
  fields: ReadonlyArray<string> | undefined,
  assignments: PackageAssignments
): void => {
  if (output === "json") {
    out(`${JSON.stringify(pick<unknown>({ ...assignments }, fields), null, 2)}\n`)
    return
  }
  const { current, scheduled } = assignments
  out(
    keyValues(
      [
        ["user", assignments.user],
        ["package", current.package],
        ["from", current.from],
        ["scheduled package", scheduled?.package ?? ""],
        ["scheduled from", scheduled?.from ?? ""]
      ],
      style(colors())
    )
  )
}

const assignmentsChoice = (input: {
  readonly output: Option.Option<RecordOutput>
  readonly fields: Option.Option<string>
}) =>
  Effect.flatMap(chooseFields(input.fields, assignmentKeys), (fields) =>
    Effect.map(chooseOutput<RecordOutput>(input.output, fields, { terminal: "table", piped: "json" }), (output) => ({
      output,
      fields
    }))
  )

export const customersChangePackage = Effect.fn("customersChangePackage")(function* (
  input: CustomersChangePackageInput
) {
  const choice = yield* assignmentsChoice(input)
  const result = yield* withOperator(input, { subject: { kind: "customer", name: input.user } }, (client) =>
    client.billing.changePackage(input.user, {
      package: input.package,
      effective: input.effective === "now" ? "now" : "nextCycle"
    })
  )
  writeAssignments(choice.output, choice.fields, result)
})

export const customersCancelPackageChange = Effect.fn("customersCancelPackageChange")(function* (
  input: CustomersCancelPackageChangeInput
) {
  const choice = yield* assignmentsChoice(input)
  const result = yield* withOperator(input, { subject: { kind: "customer", name: input.user } }, (client) =>
    client.billing.cancelPackageChange(input.user)
  )
  writeAssignments(choice.output, choice.fields, result)
})

export const customersGet = Effect.fn("customersGet")(function* (input: CustomersGetInput) {
  const choice = yield* recordChoice(input, customerFields)
  const found = yield* withOperator(input, { subject: { kind: "customer", name: input.user } }, (client) =>
    client.customers.get(input.user)
  )
  writeRecord(choice.output, choice.fields, found, colors())
})

const pageSize = 1000

export const customersList = (input: CustomersListInput): Effect.Effect<void, CliFailure> =>
  Effect.flatMap(listChoice(input, customerFields), (choice) =>
    withOperator(
      input,
      Option.isSome(input.reseller) ? { subject: { kind: "reseller", name: input.reseller.value } } : {},
      Effect.fnUntraced(function* (client) {
        const writer = listWriter(choice.output, choice.fields, colors())
        const limit = Option.getOrUndefined(input.limit)
        let cursor = Option.getOrUndefined(input.cursor)
        let printed = 0
        for (;;) {
          const want = limit === undefined ? pageSize : Math.min(pageSize, limit - printed)
          const page = yield* client.customers.list({
            ...(Option.isSome(input.reseller) ? { reseller: input.reseller.value } : {}),
            limit: want,
            ...(cursor === undefined ? {} : { cursor })
          })
          for (const customer of page.items) writer.write(customer)
          printed += page.items.length
          cursor = page.nextCursor
          if (cursor === undefined || page.items.length === 0) break
          if (limit !== undefined && printed >= limit) {
            errLine(`next cursor: ${cursor}`)
            break
          }
        }
        writer.end()
      })
    )
  )

const dayOf = (date: Option.Option<string>): Effect.Effect<CalendarDate> =>
  Option.match(date, {
    onSome: (d) => Effect.succeed(d as CalendarDate),
    onNone: () => Effect.map(Clock.currentTimeMillis, (now) => calendarDateFromEpochMillis(now))
  })

export const customersOverview = Effect.fn("customersOverview")(function* (input: CustomersOverviewInput) {
  const choice = yield* overviewsChoice(input)
  const day = yield* dayOf(input.date)
  const found: Overview = yield* withOperator(input, { subject: { kind: "customer", name: input.user } }, (client) =>
    client.customers.overview(input.user, Option.isSome(input.date) ? { date: day } : {})
  )
  const writer = overviewsWriter(choice, true, day)
  writer.write({ user: input.user, ok: true, overview: found })
  writer.end()
})

export const overviews = Effect.fn("overviews")(function* (input: OverviewsInput) {
  const choice = yield* overviewsChoice(input)
  const day = yield* dayOf(input.date)
  yield* withOperator(input, { subject: { kind: "reseller", name: input.reseller } }, (client) => {
    const writer = overviewsWriter(choice, false, day)
    return client.resellers
      .overviewsAll(input.reseller, { ...(Option.isSome(input.date) ? { date: day } : {}), limit: pageSize })
      .pipe(
        Stream.runForEach((item) =>
          Effect.sync(() => {
            if ("overview" in item) writer.write({ user: item.user, ok: true, overview: item.overview })
            else {
              const failure = {
                code: "unreadable",
                status: undefined,
                messages: [item.problem],
                sentence: item.problem,
                exitCode: ExitCode.failed
              }
              writer.write({ user: item.user, ok: false, failure })
            }
          })
        ),
        Effect.andThen(Effect.sync(() => writer.end()))
      )
  })
})

const writeVoidResult = (output: "table" | "json", result: VoidResult): void => {
  if (output === "json") {
    out(`${JSON.stringify(result)}\n`)
    return
  }
  out(`voided ${result.voided} event${result.voided === 1 ? "" : "s"}\n`)
  if (result.duplicates.length > 0) {
    out(`already voided: ${result.duplicates.map((id) => JSON.stringify(id)).join(", ")}\n`)
  }
}

export const usageVoid = (input: UsageVoidInput): Effect.Effect<void, CliFailure> =>
  withOperator(input, {}, (client) => client.voidEvents(input.ids)).pipe(
    Effect.map((result) =>
      writeVoidResult(
        Option.getOrElse(input.output, () => (streams().stdoutIsTerminal ? ("table" as const) : ("json" as const))),
        result
      )
    )
  )

const cycleFields: ReadonlyArray<Field<CustomerCycle>> = [
  { key: "start", header: "START", get: (c) => c.start },
  { key: "end", header: "END", get: (c) => c.end },
  { key: "processDate", header: "PROCESS DATE", get: (c) => c.processDate },
  { key: "closed", header: "CLOSED", get: (c) => c.closed },
  { key: "package", header: "PACKAGE", get: (c) => c.package },
  { key: "creditsAllowed", header: "ALLOWED", get: (c) => c.creditsAllowed, align: "right" },
  { key: "creditsUsed", header: "USED", get: (c) => c.creditsUsed, align: "right" },
  { key: "creditsOverage", header: "OVERAGE", get: (c) => c.creditsOverage, align: "right" },
  { key: "requests", header: "REQUESTS", get: (c) => c.requests, align: "right" }
]

export const cyclesHistory = Effect.fn("cyclesHistory")(function* (input: CyclesHistoryInput) {
  const choice = yield* listChoice(input, cycleFields)
  const history = yield* withOperator(input, { subject: { kind: "customer", name: input.user } }, (client) =>
    client.billing.cycles(input.user, {
      ...(Option.isSome(input.from) ? { from: input.from.value } : {}),
      ...(Option.isSome(input.to) ? { to: input.to.value } : {})
    })
  )
  printAll(listWriter(choice.output, choice.fields, colors()), history.items)
})

const reportFields: ReadonlyArray<Field<ResellerCycleLine>> = [
  { key: "user", header: "USER", get: (l) => l.user },
  { key: "timeZone", header: "TIME ZONE", get: (l) => l.timeZone },
  ...(cycleFields as ReadonlyArray<Field<ResellerCycleLine>>).filter((f) => f.key !== "closed"),
  { key: "overagePrice", header: "OVERAGE PRICE", get: (l) => l.overagePrice, align: "right" },
  { key: "overageAmount", header: "OVERAGE AMOUNT", get: (l) => l.overageAmount, align: "right" }
]

export const cyclesReport = Effect.fn("cyclesReport")(function* (input: CyclesReportInput) {
  const choice = yield* listChoice(input, reportFields)
  const report = yield* withOperator(input, { subject: { kind: "reseller", name: input.reseller } }, (client) =>
    client.billing.resellerCycles(input.reseller, { closedOn: input.closedOn })
  )
  printAll(listWriter(choice.output, choice.fields, colors()), report.items)
})
