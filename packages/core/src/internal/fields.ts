/**
 * The lean validation of decoded bodies: the rules of the `Overview` and
 * `ErrorBody` schemas, written out by hand for the hot path, plus the
 * tolerance of the wire (numbers as numeric strings, whitespace around values).
 * A test checks it against the schemas.
 */
import { type CalendarDate, daysInMonth } from "../CalendarDate.js"
import { DecodeError } from "../Errors.js"
import type { ErrorBody, Overview } from "../Overview.js"
import { show, trimWhitespace } from "./text.js"

const numberPattern = /^-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/

/** A decimal number written as text (whitespace around it allowed), or `undefined`. */
export const parseNumber = (raw: string): number | undefined => {
  const s = trimWhitespace(raw)
  const n = s.length
  if (n > 0 && n <= 15) {
    let value = 0
    let i = 0
    for (; i < n; i++) {
      const d = s.charCodeAt(i) - 48
      if (d < 0 || d > 9) break
      value = value * 10 + d
    }
    if (i === n) return value
  }
  return numberPattern.test(s) ? Number(s) : undefined
}

const fail = (path: string, reason: string) => new DecodeError({ path, reason })

const numeric = (path: string, value: unknown, expected: string): number | DecodeError => {
  if (typeof value === "number") return value
  if (typeof value === "string") {
    const n = parseNumber(value)
    if (n !== undefined) return n
    return trimWhitespace(value) === ""
      ? fail(path, `empty, expected ${expected}`)
      : fail(path, `not a number: ${show(value)}`)
  }
  return value === undefined ? fail(path, "missing") : fail(path, `expected ${expected}, got ${show(value)}`)
}

const count = (path: string, value: unknown): number | DecodeError => {
  const n = numeric(path, value, "a non-negative integer")
  if (typeof n !== "number") return n
  if (!Number.isFinite(n)) return fail(path, `not a finite number: ${show(value)}`)
  if (!Number.isInteger(n)) return fail(path, `not an integer: ${n}`)
  if (n < 0) return fail(path, `negative: ${n}`)
  if (n > Number.MAX_SAFE_INTEGER) return fail(path, `too large, over ${Number.MAX_SAFE_INTEGER}: ${n}`)
  return n + 0
}

const reputation = (path: string, value: unknown): number | DecodeError => {
  const n = numeric(path, value, "a number from 0 to 100")
  if (typeof n !== "number") return n
  if (!Number.isFinite(n)) return fail(path, `not a finite number: ${show(value)}`)
  if (n < 0 || n > 100) return fail(path, `out of range 0..100: ${n}`)
  return n + 0
}

const text = (path: string, value: unknown): string | DecodeError =>
  typeof value === "string"
    ? value
    : value === undefined
      ? fail(path, "missing")
      : fail(path, `expected a string, got ${show(value)}`)

const digitAt = (s: string, i: number): number => {
  const d = s.charCodeAt(i) - 48
  return d >= 0 && d <= 9 ? d : Number.NaN
}

/** `CalendarDate.isCalendarDate` without a regular expression (a test checks they agree). */
export const isWireDate = (s: string): boolean => {
  if (s.length !== 10 || s.charCodeAt(4) !== 0x2d || s.charCodeAt(7) !== 0x2d) return false
  const year = digitAt(s, 0) * 1000 + digitAt(s, 1) * 100 + digitAt(s, 2) * 10 + digitAt(s, 3)
  const month = digitAt(s, 5) * 10 + digitAt(s, 6)
  const day = digitAt(s, 8) * 10 + digitAt(s, 9)
  return year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
}

const date = (path: string, value: unknown): CalendarDate | DecodeError => {
  if (typeof value !== "string") {
    return value === undefined
      ? fail(path, "missing")
      : fail(path, `expected a calendar date (YYYY-MM-DD), got ${show(value)}`)
  }
  const s = trimWhitespace(value)
  return isWireDate(s) ? (s as CalendarDate) : fail(path, `not a calendar date (YYYY-MM-DD): ${show(s)}`)
}

/**
 * An overview from its wire fields (by wire name), or the first field's
 * failure in wire order.
 */
export const overviewFromWire = (fields: Readonly<Record<string, unknown>>): Overview | DecodeError => {
  const rep = reputation("reputation", fields.reputation)
  if (typeof rep !== "number") return rep
  const requests = count("requests", fields.requests)
  if (typeof requests !== "number") return requests
  const pkg = text("package", fields.package)
  if (typeof pkg !== "string") return pkg
  const creditsAllowed = count("credits_allowed", fields.credits_allowed)
  if (typeof creditsAllowed !== "number") return creditsAllowed
  const creditsUsed = count("credits_used", fields.credits_used)
  if (typeof creditsUsed !== "number") return creditsUsed
  const creditsRemain = count("credits_remain", fields.credits_remain)
  if (typeof creditsRemain !== "number") return creditsRemain
  const creditsOverage = count("credits_overage", fields.credits_overage)
  if (typeof creditsOverage !== "number") return creditsOverage
  const billingStartDate = date("billing_start_date", fields.billing_start_date)
  if (typeof billingStartDate !== "string") return billingStartDate
  const billingEndDate = date("billing_end_date", fields.billing_end_date)
  if (typeof billingEndDate !== "string") return billingEndDate
  const billingProcessDate = date("billing_process_date", fields.billing_process_date)
  if (typeof billingProcessDate !== "string") return billingProcessDate
  return {
    reputation: rep,
    requests,
    package: pkg,
    creditsAllowed,
    creditsUsed,
    creditsRemain,
    creditsOverage,
    billingStartDate,
    billingEndDate,
    billingProcessDate
  }
}

/** The `message` of a message body must be `error`; anything else is not an error body. */
export const checkErrorMessage = (message: unknown): DecodeError | undefined => {
  if (typeof message !== "string") return fail("message", `expected "error", got ${show(message)}`)
  const m = trimWhitespace(message)
  return m === "error" ? undefined : fail("message", `expected "error", got ${show(m)}`)
}

/** An error body from its messages, or why they are not one. */
export const errorBodyFromWire = (errors: unknown): ErrorBody | DecodeError => {
  if (errors === undefined) return fail("errors", "missing")
  if (!Array.isArray(errors)) return fail("errors", `expected a list of messages, got ${show(errors)}`)
  if (errors.length === 0) return fail("errors", "empty, expected at least one message")
  for (let i = 0; i < errors.length; i++) {
    const e: unknown = errors[i]
    if (typeof e !== "string") return fail(`errors[${i}]`, `expected a string, got ${show(e)}`)
  }
  return { message: "error", errors: errors as unknown as readonly [string, ...Array<string>] }
}
