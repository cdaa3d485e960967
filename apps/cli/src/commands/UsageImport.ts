import type { UsageEvent } from "@account-overview/core"
import type { IngestSummary } from "@account-overview/sdk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { RecordOutput, UsageImportInput } from "../Cli.js"
import { CliFailure, ExitCode } from "../CliFailure.js"
import { CsvHeaderError, formatOfPath, type Parsed, parseEvents } from "../Events.js"
import { endWith, unexpected } from "../FailureText.js"
import { chooseFields, chooseOutput } from "../Fields.js"
import { errLine, streams } from "../Io.js"
import { type OperatorClient, type OperatorError, withOperator } from "../Operator.js"
import { progress } from "../Progress.js"
import { type Field, fieldKeys, onlyFields, writeRecord } from "../Records.js"
import * as Stdin from "../Stdin.js"

/**
 * `account-overview admin usage import <file|->`: streams events from NDJSON
 * or CSV to the operator API in batches, reports each bad event with its
 * line number, and prints a summary. Event ids make ingestion idempotent, so
 * after an interruption the same command can simply be run again: what was
 * stored already counts as duplicates.
 */

export interface Summary {
  events: number
  accepted: number
  duplicates: number
  conflicts: number
  invalid: number
  batches: number
}

const summaryFields: ReadonlyArray<Field<Summary>> = [
  { key: "events", header: "Events", get: (s) => s.events },
  { key: "accepted", header: "Accepted", get: (s) => s.accepted },
  { key: "duplicates", header: "Duplicates", get: (s) => s.duplicates },
  { key: "conflicts", header: "Conflicts", get: (s) => s.conflicts },
  { key: "invalid", header: "Invalid", get: (s) => s.invalid },
  { key: "batches", header: "Batches", get: (s) => s.batches }
]

/** What `--dry-run` prints: the events read, the bad ones, the requests a real run would send. */
export interface DryRunSummary {
  events: number
  invalid: number
  batches: number
}

const dryRunFields: ReadonlyArray<Field<DryRunSummary>> = [
  { key: "events", header: "Events", get: (s) => s.events },
  { key: "invalid", header: "Invalid", get: (s) => s.invalid },
  { key: "batches", header: "Batches", get: (s) => s.batches }
]

/** The summary's output and fields, from `--output` and `--fields`. */
const summaryChoice = <A>(input: UsageImportInput, fields: ReadonlyArray<Field<A>>) =>
  Effect.flatMap(chooseFields(input.fields, fieldKeys(fields)), (names) =>
    Effect.map(chooseOutput<RecordOutput>(input.output, names, { terminal: "table", piped: "json" }), (output) => ({
      output,
      fields: onlyFields(fields, names)
    }))
  )

interface Pending {
  readonly line: number
  readonly event: UsageEvent
}

/**
 * Sends one batch. When the service refuses some of its events (and so
 * stores none), those are reported and the rest is sent again, so that a
 * bad event never costs the good ones.
 */
const sendBatch = (
  client: OperatorClient,
  batch: ReadonlyArray<Pending>,
  batchSize: number,
  summary: Summary,
  report: (line: number, reason: string) => void
): Effect.Effect<void, OperatorError> => {
  const stored = (sent: ReadonlyArray<Pending>, result: IngestSummary): void => {
    summary.accepted += result.accepted
    summary.duplicates += result.duplicates
    summary.conflicts += result.conflicts.length
    summary.batches += 1
    const conflicts = new Set(result.conflicts)
    for (const p of sent) {
      if (conflicts.has(p.event.id))
        report(p.line, `event id "${p.event.id}" was stored before with other content (conflict)`)
    }
  }
  const send = (remaining: ReadonlyArray<Pending>, attempt: number): Effect.Effect<void, OperatorError> =>
    remaining.length === 0
      ? Effect.void
      : client
          .ingest(
            remaining.map((p) => p.event),
            { batchSize }
          )
          .pipe(
            Effect.map((result) => stored(remaining, result)),
            Effect.catchTag("InvalidRequestError", (error) => {
              if (error.problems.length === 0 || attempt > 0) return Effect.fail(error)
              const refused = new Set<number>()
              for (const problem of error.problems) {
                const p = remaining[problem.index]
                if (p === undefined) continue
                refused.add(problem.index)
                report(p.line, `${problem.field === "" ? "" : `${problem.field}: `}${problem.message}`)
              }
              if (refused.size === 0) return Effect.fail(error)
              summary.invalid += refused.size
              return send(
                remaining.filter((_, i) => !refused.has(i)),
                attempt + 1
              )
            })
          )
  return send(batch, 0)
}

const readFailure = (error: unknown): CliFailure =>
  error instanceof CsvHeaderError
    ? new CliFailure({ exitCode: ExitCode.failed, message: error.message })
    : endWith(unexpected(error))

/** `--dry-run`: the events read and checked as a real run reads them, counted, nothing sent. */
const dryRun = Effect.fnUntraced(function* (input: UsageImportInput) {
  const choice = yield* summaryChoice(input, dryRunFields)
  const io = streams()
  const source = yield* Stdin.open(input.file, "usage file")
  const format = Option.getOrElse(input.inputFormat, () => formatOfPath(input.file))
  const summary: DryRunSummary = { events: 0, invalid: 0, batches: 0 }
  const bar = progress({ enabled: io.stderrColors, label: "check", unit: "bytes", total: source.size })
  let bytes = 0
  const counted = async function* () {
    for await (const line of Stdin.numberedLines(source)) {
      bytes += Buffer.byteLength(line.text) + 1
      yield line
    }
  }
  yield* Stream.fromAsyncIterable(parseEvents(counted(), format) as AsyncIterable<Parsed>, readFailure).pipe(
    Stream.runForEach((parsed) =>
      Effect.sync(() => {
        if (parsed._tag === "Bad") {
          summary.invalid += 1
          bar.log(`error: line ${parsed.line}: ${parsed.reason}`)
        } else summary.events += 1
        if ((summary.events + summary.invalid) % 1_000 === 0) bar.update(bytes)
      })
    ),
    Effect.ensuring(Effect.sync(() => bar.stop()))
  )
  summary.batches = Math.ceil(summary.events / input.batchSize)
  writeRecord(choice.output, choice.fields, summary, io.stdoutColors)
  if (summary.invalid > 0) return yield* new CliFailure({ exitCode: ExitCode.failed })
})

export const usageImport = Effect.fn("usageImport")(function* (input: UsageImportInput) {
  if (input.dryRun) return yield* dryRun(input)
  const choice = yield* summaryChoice(input, summaryFields)
  const io = streams()
  const source = yield* Stdin.open(input.file, "usage file")
  const format = Option.getOrElse(input.inputFormat, () => formatOfPath(input.file))
  const summary: Summary = { events: 0, accepted: 0, duplicates: 0, conflicts: 0, invalid: 0, batches: 0 }
  const bar = progress({ enabled: io.stderrColors, label: "import", unit: "bytes", total: source.size })
  const report = (line: number, reason: string) => bar.log(`error: line ${line}: ${reason}`)

  const run = withOperator(input, { stdinTaken: input.file === "-" ? "usage import -" : undefined }, (client) => {
    let bytes = 0
    const counted = async function* () {
      for await (const line of Stdin.numberedLines(source)) {
        bytes += Buffer.byteLength(line.text) + 1
        yield line
      }
    }
    let batch: Array<Pending> = []
    const flush = Effect.suspend(() => {
      const sending = batch
      batch = []
      return sendBatch(client, sending, input.batchSize, summary, report).pipe(
        Effect.tap(() => Effect.sync(() => bar.update(bytes)))
      )
    })
    const take = (parsed: Parsed) =>
      Effect.suspend(() => {
        if (parsed._tag === "Bad") {
          summary.invalid += 1
          report(parsed.line, parsed.reason)
          return Effect.void
        }
        summary.events += 1
        batch.push({ line: parsed.line, event: parsed.event })
        return batch.length >= input.batchSize ? flush : Effect.void
      })
    return Stream.fromAsyncIterable(parseEvents(counted(), format) as AsyncIterable<Parsed>, readFailure).pipe(
      Stream.runForEach(take),
      Effect.andThen(Effect.suspend(() => (batch.length > 0 ? flush : Effect.void))),
      Effect.ensuring(Effect.sync(() => bar.stop()))
    )
  })

  yield* run.pipe(
    Effect.onInterrupt(() =>
      Effect.sync(() => {
        bar.stop()
        errLine(
          `interrupted after ${summary.batches} batches (${summary.accepted} accepted, ${summary.duplicates} duplicates): run the same command again to finish, stored events count as duplicates`
        )
      })
    ),
    Effect.tapError(() =>
      Effect.sync(() => {
        if (summary.batches > 0)
          errLine(
            `stopped after ${summary.batches} batches (${summary.accepted} accepted, ${summary.duplicates} duplicates): run the same command again to resume`
          )
      })
    )
  )
  writeRecord(choice.output, choice.fields, summary, io.stdoutColors)
  if (summary.invalid > 0 || summary.conflicts > 0) return yield* new CliFailure({ exitCode: ExitCode.failed })
})
