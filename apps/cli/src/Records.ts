import type { ListOutput, RecordOutput } from "./Cli.js"
import * as Csv from "./Csv.js"
import { out as stdout } from "./Io.js"
import { type Column, keyValues, style, table } from "./Table.js"

/**
 * Writes operator records (packages, customers, ...) as tables for people or
 * JSON, NDJSON and CSV for programs. JSON keys and CSV headers are the
 * operator API's field names.
 */

export type Cell = string | number | boolean | undefined

export interface Field<A> {
  /** JSON key and CSV header. */
  readonly key: string
  /** Table header. */
  readonly header: string
  readonly get: (a: A) => Cell
  readonly align?: Column["align"]
  /** The JSON value, where it is not the cell (a list); absent: the cell. */
  readonly json?: ((a: A) => unknown) | undefined
}

const toJson = <A>(fields: ReadonlyArray<Field<A>>, a: A) => {
  const object: Record<string, unknown> = {}
  for (const field of fields) {
    const value = field.json === undefined ? field.get(a) : field.json(a)
    if (value !== undefined) object[field.key] = value
  }
  return object
}

const show = (value: Cell): string => (value === undefined ? "" : String(value))

/** The keys of a record's fields: what `--fields` may name. */
export const fieldKeys = <A>(fields: ReadonlyArray<Field<A>>): ReadonlyArray<string> => fields.map((f) => f.key)

/** The fields named (checked by `chooseFields`), in that order; all of them without names. */
export const onlyFields = <A>(
  fields: ReadonlyArray<Field<A>>,
  names: ReadonlyArray<string> | undefined
): ReadonlyArray<Field<A>> =>
  names === undefined ? fields : names.flatMap((name) => fields.filter((field) => field.key === name))

export interface RecordsWriter<A> {
  readonly write: (a: A) => void
  readonly end: () => void
}

/** A JSON array written as its items come, each indented two spaces; `[]` when there is none. */
export const jsonArrayWriter = <A>(toJson: (a: A) => unknown, out: (text: string) => void): RecordsWriter<A> => {
  let count = 0
  return {
    write: (a) => {
      out(`${count === 0 ? "[\n  " : ",\n  "}${JSON.stringify(toJson(a), null, 2).replaceAll("\n", "\n  ")}`)
      count += 1
    },
    end: () => out(count === 0 ? "[]\n" : "\n]\n")
  }
}

/** A writer of a listing. */
export const listWriter = <A>(
  output: ListOutput,
  fields: ReadonlyArray<Field<A>>,
  colors: boolean,
  out: (text: string) => void = stdout
): RecordsWriter<A> => {
  switch (output) {
    case "ndjson":
      return { write: (a) => out(`${JSON.stringify(toJson(fields, a))}\n`), end: () => {} }
    case "json":
      return jsonArrayWriter((a) => toJson(fields, a), out)
    case "csv": {
      out(Csv.record(fields.map((f) => f.key)))
      return { write: (a) => out(Csv.record(fields.map((f) => f.get(a)))), end: () => {} }
    }
    case "table": {
      const rows: Array<ReadonlyArray<string>> = []
      return {
        write: (a) => rows.push(fields.map((f) => show(f.get(a)))),
        end: () => {
          const columns = fields.map((f) =>
            f.align === undefined ? { header: f.header } : { header: f.header, align: f.align }
          )
          out(table(columns, rows, style(colors)))
        }
      }
    }
  }
}

/** Writes one record. */
export const writeRecord = <A>(
  output: RecordOutput,
  fields: ReadonlyArray<Field<A>>,
  a: A,
  colors: boolean,
  out: (text: string) => void = stdout
): void => {
  if (output === "json") out(`${JSON.stringify(toJson(fields, a), null, 2)}\n`)
  else
    out(
      keyValues(
        fields.map((f) => [f.header.toLowerCase(), show(f.get(a))] as const),
        style(colors)
      )
    )
}
