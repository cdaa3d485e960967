import { displayWidth } from "effect/cli/CliOutput"

/**
 * Plain text tables for people: a header row, columns padded to their
 * widest cell, numbers aligned right. Colours only when asked for.
 */

export interface Style {
  readonly bold: (text: string) => string
  readonly dim: (text: string) => string
  readonly green: (text: string) => string
  readonly yellow: (text: string) => string
  readonly red: (text: string) => string
}

const wrap = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`

/** ANSI styles, or none. */
export const style = (colors: boolean): Style =>
  colors
    ? { bold: wrap(1, 22), dim: wrap(2, 22), green: wrap(32, 39), yellow: wrap(33, 39), red: wrap(31, 39) }
    : { bold: (t) => t, dim: (t) => t, green: (t) => t, yellow: (t) => t, red: (t) => t }

export interface Column {
  readonly header: string
  readonly align?: "left" | "right"
}

const pad = (text: string, width: number, align: "left" | "right"): string => {
  const gap = " ".repeat(Math.max(0, width - displayWidth(text)))
  return align === "right" ? gap + text : text + gap
}

/** Renders rows under their headers, two spaces between columns, no trailing spaces. */
export const table = (columns: ReadonlyArray<Column>, rows: ReadonlyArray<ReadonlyArray<string>>, s: Style): string => {
  const widths = columns.map((column, i) =>
    Math.max(displayWidth(column.header), ...rows.map((row) => displayWidth(row[i] ?? "")))
  )
  const line = (cells: ReadonlyArray<string>, decorate: (text: string) => string) =>
    `${columns
      .map((column, i) => pad(decorate(cells[i] ?? ""), widths[i] ?? 0, column.align ?? "left"))
      .join("  ")
      .trimEnd()}\n`
  return (
    line(
      columns.map((c) => c.header),
      s.bold
    ) + rows.map((row) => line(row, (t) => t)).join("")
  )
}

/** Renders a record as `key  value` lines. */
export const keyValues = (pairs: ReadonlyArray<readonly [string, string]>, s: Style): string => {
  const width = Math.max(0, ...pairs.map(([key]) => displayWidth(key)))
  return pairs.map(([key, value]) => `${pad(s.bold(key), width, "left")}  ${value}`.trimEnd() + "\n").join("")
}

/** `1234567` as `1,234,567`. */
export const thousands = (n: number): string => n.toLocaleString("en-US", { maximumFractionDigits: 6 })
