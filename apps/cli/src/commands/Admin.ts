import {
  type CalendarDate,
  type Customer,
  type CustomerCycle,
  calendarDateFromEpochMillis,
  type Overview,
  type Package,
  type ResellerCycleLine,
  type VoidResult
} from "@account-overview/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type {
  CustomersGetInput,
  CustomersListInput,
  CustomersOverviewInput,
  CustomersSetInput,
  CyclesHistoryInput,
  CyclesReportInput,
  OverviewOutput,
  OverviewsInput,
  PackagesListInput,
  PackagesSetInput,
  ResellersRotateKeyInput,
  ResellersSetInput,
  UsageVoidInput
} from "../Cli.js"
import { type CliFailure, ExitCode, usageError } from "../CliFailure.js"
import { errLine, out, registerSecret, streams } from "../Io.js"
import { withOperator } from "../Operator.js"
import { overviewWriter } from "../Output.js"
import { type Field, listWriter, type RecordsWriter, writeRecord } from "../Records.js"
import { readSecretLine } from "../Stdin.js"

/**
 * The `account-overview admin ...` commands over the operator API.
 */

const listOutput = <O extends string>(output: Option.Option<O>): O | "table" | "ndjson" =>
  Option.getOrElse(output, () => (streams().stdoutIsTerminal ? ("table" as const) : ("ndjson" as const)))

const recordOutput = <O extends string>(output: Option.Option<O>): O | "table" | "json" =>
  Option.getOrElse(output, () => (streams().stdoutIsTerminal ? ("table" as const) : ("json" as const)))

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
  { key: "reputation", header: "REPUTATION", get: (c) => c.reputation, align: "right" }
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

/** Overviews as the operator API gives them (v1 names), in the chosen output. */
const overviewsWriter = (output: Option.Option<OverviewOutput>, single: boolean, today: CalendarDate) => {
  const io = streams()
  return overviewWriter({
    output: Option.getOrElse(output, () => (io.stdoutIsTerminal ? "table" : "ndjson")),
    single,
    dialect: "v1",
    today,
    colors: io.stdoutColors,
    unicode: io.stdoutIsTerminal
  })
}

export const packagesSet = (input: PackagesSetInput): Effect.Effect<void, CliFailure> =>
  withOperator(input, { subject: { kind: "package", name: input.name } }, (client) =>
    client.packages.set(input.name, {
      credits: input.credits,
      ...(Option.isSome(input.overagePrice) ? { overagePrice: input.overagePrice.value } : {})
    })
  ).pipe(Effect.map((saved) => writeRecord(recordOutput(input.output), packageFields, saved, colors())))

const printAll = <A>(writer: RecordsWriter<A>, items: ReadonlyArray<A>): void => {
  for (const item of items) writer.write(item)
  writer.end()
}

export const packagesList = (input: PackagesListInput): Effect.Effect<void, CliFailure> =>
  withOperator(input, {}, (client) => client.packages.list()).pipe(
    Effect.map((all) => printAll(listWriter(listOutput(input.output), packageFields, colors()), all))
  )

const writeKeyResult = (output: "table" | "json", result: KeyResult) => {
  if (result.apiKey !== undefined) registerSecret(result.apiKey)
  if (output === "json") return writeRecord("json", keyFields, result, colors())
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
  const apiKey = input.apiKeyStdin ? yield* readSecretLine("api key") : undefined
  registerSecret(apiKey)
  const result = yield* withOperator(input, { subject: { kind: "reseller", name: input.apiUser } }, (client) =>
    client.resellers.set(input.apiUser, apiKey === undefined ? {} : { apiKey })
  )
  writeKeyResult(recordOutput(input.output), result)
})

export const resellersRotateKey = (input: ResellersRotateKeyInput): Effect.Effect<void, CliFailure> =>
  withOperator(input, { subject: { kind: "reseller", name: input.apiUser } }, (client) =>
    client.resellers.rotateKey(input.apiUser)
  ).pipe(Effect.map((result) => writeKeyResult(recordOutput(input.output), result)))

export const customersSet = (input: CustomersSetInput): Effect.Effect<void, CliFailure> =>
  withOperator(input, { subject: { kind: "customer", name: input.user } }, (client) =>
    client.customers.set(input.user, {
      reseller: input.reseller,
      package: input.package,
      billingAnchor: input.billingAnchor as CalendarDate,
      reputation: input.reputation
    })
  ).pipe(Effect.map((saved) => writeRecord(recordOutput(input.output), customerFields, saved, colors())))

export const customersGet = (input: CustomersGetInput): Effect.Effect<void, CliFailure> =>
  withOperator(input, { subject: { kind: "customer", name: input.user } }, (client) =>
    client.customers.get(input.user)
  ).pipe(Effect.map((found) => writeRecord(recordOutput(input.output), customerFields, found, colors())))

const pageSize = 1000

export const customersList = (input: CustomersListInput): Effect.Effect<void, CliFailure> =>
  withOperator(
    input,
    Option.isSome(input.reseller) ? { subject: { kind: "reseller", name: input.reseller.value } } : {},
    Effect.fnUntraced(function* (client) {
      const writer = listWriter(listOutput(input.output), customerFields, colors())
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

const dayOf = (date: Option.Option<string>): Effect.Effect<CalendarDate> =>
  Option.match(date, {
    onSome: (d) => Effect.succeed(d as CalendarDate),
    onNone: () => Effect.map(Clock.currentTimeMillis, (now) => calendarDateFromEpochMillis(now))
  })

export const customersOverview = Effect.fn("customersOverview")(function* (input: CustomersOverviewInput) {
  const day = yield* dayOf(input.date)
  const found: Overview = yield* withOperator(input, { subject: { kind: "customer", name: input.user } }, (client) =>
    client.customers.overview(input.user, Option.isSome(input.date) ? { date: day } : {})
  )
  const writer = overviewsWriter(input.output, true, day)
  writer.write({ user: input.user, ok: true, overview: found })
  writer.end()
})

export const overviews = Effect.fn("overviews")(function* (input: OverviewsInput) {
  const day = yield* dayOf(input.date)
  yield* withOperator(
    input,
    { subject: { kind: "reseller", name: input.reseller } },
    Effect.fnUntraced(function* (client) {
      const writer = overviewsWriter(input.output, false, day)
      let cursor: string | undefined
      for (;;) {
        const page = yield* client.resellers.overviews(input.reseller, {
          ...(Option.isSome(input.date) ? { date: day } : {}),
          limit: pageSize,
          ...(cursor === undefined ? {} : { cursor })
        })
        for (const item of page.items) {
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
        }
        cursor = page.nextCursor
        if (cursor === undefined || page.items.length === 0) break
      }
      writer.end()
    })
  )
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
    Effect.map((result) => writeVoidResult(recordOutput(input.output), result))
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

export const cyclesHistory = (input: CyclesHistoryInput): Effect.Effect<void, CliFailure> =>
  withOperator(input, { subject: { kind: "customer", name: input.user } }, (client) =>
    client.billing.cycles(input.user, {
      ...(Option.isSome(input.from) ? { from: input.from.value } : {}),
      ...(Option.isSome(input.to) ? { to: input.to.value } : {})
    })
  ).pipe(Effect.map((history) => printAll(listWriter(listOutput(input.output), cycleFields, colors()), history.items)))

const reportFields: ReadonlyArray<Field<ResellerCycleLine>> = [
  { key: "user", header: "USER", get: (l) => l.user },
  { key: "timeZone", header: "TIME ZONE", get: (l) => l.timeZone },
  ...(cycleFields as ReadonlyArray<Field<ResellerCycleLine>>).filter((f) => f.key !== "closed"),
  { key: "overagePrice", header: "OVERAGE PRICE", get: (l) => l.overagePrice, align: "right" },
  { key: "overageAmount", header: "OVERAGE AMOUNT", get: (l) => l.overageAmount, align: "right" }
]

export const cyclesReport = (input: CyclesReportInput): Effect.Effect<void, CliFailure> =>
  withOperator(input, { subject: { kind: "reseller", name: input.reseller } }, (client) =>
    client.billing.resellerCycles(input.reseller, { closedOn: input.closedOn })
  ).pipe(Effect.map((report) => printAll(listWriter(listOutput(input.output), reportFields, colors()), report.items)))
