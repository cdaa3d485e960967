import type { UsageEvent } from "@account-overview/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { UsageImportInput } from "../Cli.js"
import { CsvHeaderError, formatOfPath, type Parsed, parseEvents } from "../Events.js"
import { CliFailure, ExitCode } from "../Failure.js"
import { errLine, streams } from "../Io.js"
import { type OperatorClient, withOperator } from "../Operator.js"
import { progress } from "../Progress.js"
import { type Field, writeRecord } from "../Records.js"
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

const sizeOf = (x: unknown): number => (Array.isArray(x) ? x.length : typeof x === "number" ? x : 0)
const idsOf = (x: unknown): ReadonlyArray<string> => (Array.isArray(x) ? x.filter((id) => typeof id === "string") : [])

interface Pending {
  readonly line: number
  readonly event: UsageEvent
}

const problemsOf = (error: unknown): ReadonlyArray<{ index: number; field: string; message: string }> => {
  if (typeof error !== "object" || error === null) return []
  if ((error as { code?: unknown }).code !== "invalid_request") return []
  const problems = (error as { problems?: unknown }).problems
  return Array.isArray(problems) ? problems : []
}

/**
 * Sends one batch. When the service refuses some of its events (and so
 * stores none), those are reported and the rest is sent again, so that a
 * bad event never costs the good ones.
 */
const sendBatch = async (
  client: OperatorClient,
  batch: ReadonlyArray<Pending>,
  batchSize: number,
  signal: AbortSignal,
  summary: Summary,
  report: (line: number, reason: string) => void
): Promise<void> => {
  let remaining = batch
  for (let attempt = 0; remaining.length > 0; attempt++) {
    try {
      const result = await client.ingest(
        remaining.map((p) => p.event),
        { batchSize, signal }
      )
      summary.accepted += result.accepted
      summary.duplicates += sizeOf(result.duplicates)
      summary.conflicts += sizeOf(result.conflicts)
      summary.batches += 1
      const conflicts = new Set(idsOf(result.conflicts))
      for (const p of remaining) {
        if (conflicts.has(p.event.id))
          report(p.line, `event id "${p.event.id}" was stored before with other content (conflict)`)
      }
      return
    } catch (error) {
      const problems = problemsOf(error)
      if (problems.length === 0 || attempt > 0) throw error
      const refused = new Set<number>()
      for (const problem of problems) {
        const p = remaining[problem.index]
        if (p === undefined) continue
        refused.add(problem.index)
        report(p.line, `${problem.field === "" ? "" : `${problem.field}: `}${problem.message}`)
      }
      if (refused.size === 0) throw error
      summary.invalid += refused.size
      remaining = remaining.filter((_, i) => !refused.has(i))
    }
  }
}

export const usageImport = Effect.fn("usageImport")(function* (input: UsageImportInput) {
  const io = streams()
  const source = yield* Stdin.open(input.file, "usage file")
  const format = Option.getOrElse(input.inputFormat, () => formatOfPath(input.file))
  const summary: Summary = { events: 0, accepted: 0, duplicates: 0, conflicts: 0, invalid: 0, batches: 0 }
  const bar = progress({ enabled: io.stderrColors, label: "import", unit: "bytes", total: source.size })
  const report = (line: number, reason: string) => bar.log(`error: line ${line}: ${reason}`)

  const run = withOperator(
    input,
    { stdinTaken: input.file === "-" ? "usage import -" : undefined },
    async (client, _connection, signal) => {
      let bytes = 0
      const counted = async function* () {
        for await (const line of Stdin.numberedLines(source)) {
          bytes += Buffer.byteLength(line.text) + 1
          yield line
        }
      }
      let batch: Array<Pending> = []
      const flush = async () => {
        const sending = batch
        batch = []
        await sendBatch(client, sending, input.batchSize, signal, summary, report)
        bar.update(bytes)
      }
      try {
        for await (const parsed of parseEvents(counted(), format) as AsyncIterable<Parsed>) {
          if (parsed._tag === "Bad") {
            summary.invalid += 1
            report(parsed.line, parsed.reason)
            continue
          }
          summary.events += 1
          batch.push({ line: parsed.line, event: parsed.event })
          if (batch.length >= input.batchSize) await flush()
        }
        if (batch.length > 0) await flush()
      } catch (error) {
        if (error instanceof CsvHeaderError) throw new CliFailure({ exitCode: ExitCode.failed, message: error.message })
        throw error
      } finally {
        bar.stop()
      }
    }
  )

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
  writeRecord(
    Option.getOrElse(input.output, () => (io.stdoutIsTerminal ? ("table" as const) : ("json" as const))),
    summaryFields,
    summary,
    io.stdoutColors
  )
  if (summary.invalid > 0 || summary.conflicts > 0) return yield* new CliFailure({ exitCode: ExitCode.failed })
})
