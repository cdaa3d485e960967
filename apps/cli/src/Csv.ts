/**
 * CSV as RFC 4180 writes and reads it: fields separated by commas, a field
 * holding a comma, a double quote, CR or LF enclosed in double quotes with
 * its quotes doubled. Records end with LF on output (CRLF and LF both read).
 */

const needsQuotes = /[",\r\n]/

/** One field, quoted when RFC 4180 requires it. */
export const field = (value: string | number | boolean | undefined | null): string => {
  if (value === undefined || value === null) return ""
  const text = String(value)
  return needsQuotes.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** One record, with its line end. */
export const record = (values: ReadonlyArray<string | number | boolean | undefined | null>): string =>
  `${values.map(field).join(",")}\n`

/** The outcome of parsing one line of CSV. */
export type Parsed =
  | { readonly _tag: "Record"; readonly fields: ReadonlyArray<string> }
  | { readonly _tag: "Incomplete" }
  | { readonly _tag: "Invalid"; readonly reason: string }

/**
 * Parses one record from `text` (one line, or several joined with `\n` when
 * a quoted field spans lines). `Incomplete` means a quoted field is still
 * open: append the next line and parse again.
 */
export const parseRecord = (text: string): Parsed => {
  const fields: Array<string> = []
  let i = 0
  const n = text.length
  for (;;) {
    if (i < n && text.charCodeAt(i) === 34) {
      let value = ""
      i += 1
      for (;;) {
        const close = text.indexOf('"', i)
        if (close === -1) return { _tag: "Incomplete" }
        value += text.slice(i, close)
        if (text.charCodeAt(close + 1) === 34) {
          value += '"'
          i = close + 2
          continue
        }
        i = close + 1
        break
      }
      fields.push(value)
      if (i === n) return { _tag: "Record", fields }
      if (text.charCodeAt(i) !== 44) {
        return { _tag: "Invalid", reason: `unexpected character after a closing quote in field ${fields.length}` }
      }
      i += 1
    } else {
      const comma = text.indexOf(",", i)
      const end = comma === -1 ? n : comma
      const value = text.slice(i, end)
      if (value.includes('"')) {
        return { _tag: "Invalid", reason: `a double quote inside unquoted field ${fields.length + 1}` }
      }
      fields.push(value)
      if (comma === -1) return { _tag: "Record", fields }
      i = comma + 1
    }
  }
}
