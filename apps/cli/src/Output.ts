import {
  type CalendarDate,
  calendarDateToEpochMillis,
  type Dialect,
  encodeErrorBody,
  encodeOverview,
  escapeXmlText,
  type Overview,
  overviewFields,
  xmlDeclaration
} from "@account-overview/core"
import type { OverviewOutput } from "./Cli.js"
import type { ExitCode } from "./CliFailure.js"
import * as Csv from "./Csv.js"
import { pick } from "./Fields.js"
import { out as stdout } from "./Io.js"
import { jsonArrayWriter } from "./Records.js"
import { type Style, style, table, thousands } from "./Table.js"

/**
 * Writes overviews in the five output formats, streaming where the format
 * allows (ndjson, csv, json, xml) and in one piece where it cannot (table).
 */

/** Why one user's overview could not be had. */
export interface Failure {
  /** A stable code, such as `not_found` or `connection`. */
  readonly code: string
  readonly status: number | undefined
  readonly messages: ReadonlyArray<string>
  /** One plain sentence for stderr. */
  readonly sentence: string
  readonly exitCode: ExitCode
}

/** One user's overview, or why there is none. */
export type Outcome =
  | { readonly user: string; readonly ok: true; readonly overview: Overview }
  | { readonly user: string; readonly ok: false; readonly failure: Failure }

/** The overview as a JSON object under its wire names, after the user. */
export const wireObject = (user: string, overview: Overview): Record<string, string | number> => {
  const object: Record<string, string | number> = { user }
  for (const [key, wire] of overviewFields) object[wire] = overview[key]
  return object
}

/** A failure as a JSON entry. */
export const errorObject = (user: string, failure: Failure) => ({
  user,
  error: {
    code: failure.code,
    ...(failure.status === undefined ? {} : { status: failure.status }),
    messages: failure.messages.length > 0 ? failure.messages : [failure.sentence]
  }
})

/** The keys of an overview's JSON object: what `--fields` may name. */
export const overviewKeys: ReadonlyArray<string> = ["user", ...overviewFields.map(([, wire]) => wire)]

/** An outcome as JSON: an overview with only `fields` (when given); a failure whole. */
const jsonOf =
  (fields: ReadonlyArray<string> | undefined) =>
  (outcome: Outcome): object =>
    outcome.ok ? pick(wireObject(outcome.user, outcome.overview), fields) : errorObject(outcome.user, outcome.failure)

export interface OverviewWriterOptions {
  readonly output: OverviewOutput
  /** One object rather than an array (json), one document rather than a list of results (xml). */
  readonly single: boolean
  readonly dialect: Dialect
  /** The day "days left" counts from. */
  readonly today: CalendarDate
  readonly colors: boolean
  /** Block characters for the usage bar (a UTF-8 terminal), else ASCII. */
  readonly unicode: boolean
  /** Where the output goes (default: stdout). */
  readonly sink?: Sink | undefined
  /** Only these keys of each overview, in this order (json, ndjson). */
  readonly fields?: ReadonlyArray<string> | undefined
}

/** Takes output text or bytes. */
export type Sink = (chunk: string | Uint8Array) => void

export interface OverviewWriter {
  readonly write: (outcome: Outcome) => void
  readonly end: () => void
}

const latin1 = (text: string) => Buffer.from(text, "latin1")

const xmlAttribute = (value: string) => escapeXmlText(value).replaceAll('"', "&quot;")

const xmlDocument = (outcome: Outcome, dialect: Dialect): Uint8Array =>
  outcome.ok
    ? encodeOverview(outcome.overview, "xml", dialect)
    : encodeErrorBody(
        [outcome.failure.messages[0] ?? outcome.failure.sentence, ...outcome.failure.messages.slice(1)],
        "xml"
      )

/** Makes the writer of one output format. */
export const overviewWriter = (options: OverviewWriterOptions): OverviewWriter => {
  const out: Sink = options.sink ?? stdout
  const writeBytes = out
  const json = jsonOf(options.fields)
  switch (options.output) {
    case "ndjson":
      return {
        write: (outcome) => out(`${JSON.stringify(json(outcome))}\n`),
        end: () => {}
      }
    case "json": {
      if (options.single) {
        return {
          write: (outcome) => out(`${JSON.stringify(json(outcome), null, 2)}\n`),
          end: () => {}
        }
      }
      return jsonArrayWriter(json, out)
    }
    case "csv": {
      let header = false
      return {
        write: (outcome) => {
          if (!header) {
            out(Csv.record(["user", ...overviewFields.map(([, wire]) => wire)]))
            header = true
          }
          if (outcome.ok)
            out(Csv.record(overviewFields.map(([key]) => outcome.overview[key]).toSpliced(0, 0, outcome.user)))
        },
        end: () => {
          if (!header) out(Csv.record(["user", ...overviewFields.map(([, wire]) => wire)]))
        }
      }
    }
    case "xml": {
      if (options.single)
        return { write: (outcome) => writeBytes(xmlDocument(outcome, options.dialect)), end: () => {} }
      writeBytes(latin1(`${xmlDeclaration}\n\n<results>\n`))
      return {
        write: (outcome) => {
          const document = Buffer.from(xmlDocument(outcome, options.dialect)).toString("latin1")
          const body = document
            .slice(document.indexOf("<result>"))
            .replace("<result>", `<result user="${xmlAttribute(outcome.user)}">`)
            .trimEnd()
            .split("\n")
            .map((line) => `   ${line}`)
            .join("\n")
          writeBytes(latin1(`${body}\n`))
        },
        end: () => writeBytes(latin1("</results>\n"))
      }
    }
    case "table": {
      const rows: Array<Overview & { readonly user: string }> = []
      return {
        write: (outcome) => {
          if (outcome.ok) rows.push({ ...outcome.overview, user: outcome.user })
        },
        end: () => {
          if (rows.length > 0) out(overviewTable(rows, options))
        }
      }
    }
  }
}

const barWidth = 20

/** The usage bar: filled in proportion of credits used to allowed, capped at full. */
export const usageBar = (used: number, allowed: number, unicode: boolean, s: Style): string => {
  const ratio = allowed === 0 ? (used > 0 ? Number.POSITIVE_INFINITY : 0) : used / allowed
  const filled = Math.min(barWidth, Math.round(Math.min(1, ratio) * barWidth))
  const [full, empty] = unicode ? ["█", "░"] : ["#", "."]
  const bar = full.repeat(filled) + empty.repeat(barWidth - filled)
  const percent = allowed === 0 ? (used > 0 ? "over" : "0%") : `${Math.round(ratio * 100)}%`
  const paint = ratio > 1 ? s.red : ratio >= 0.8 ? s.yellow : s.green
  return `${paint(unicode ? bar : `[${bar}]`)} ${percent}`
}

/** Whole days from `today` to the cycle's last day (0 on the last day, negative once past). */
export const daysLeft = (today: CalendarDate, end: CalendarDate): number =>
  Math.round((calendarDateToEpochMillis(end) - calendarDateToEpochMillis(today)) / 86_400_000)

const overviewTable = (
  rows: ReadonlyArray<Overview & { readonly user: string }>,
  options: OverviewWriterOptions
): string => {
  const s = style(options.colors)
  return table(
    [
      { header: "USER" },
      { header: "PACKAGE" },
      { header: "USED / ALLOWED", align: "right" },
      { header: "USAGE" },
      { header: "REMAIN", align: "right" },
      { header: "OVERAGE", align: "right" },
      { header: "CYCLE" },
      { header: "DAYS LEFT", align: "right" }
    ],
    rows.map((row) => [
      row.user,
      row.package,
      `${thousands(row.creditsUsed)} / ${thousands(row.creditsAllowed)}`,
      usageBar(row.creditsUsed, row.creditsAllowed, options.unicode, s),
      thousands(row.creditsRemain),
      row.creditsOverage > 0 ? s.red(thousands(row.creditsOverage)) : "0",
      `${row.billingStartDate} to ${row.billingEndDate}`,
      String(daysLeft(options.today, row.billingEndDate))
    ]),
    s
  )
}
