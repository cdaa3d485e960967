import { Effect } from "effect"

export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are inspected field by field
  readonly body: any
}

export interface CallOptions {
  readonly token?: string | undefined
  readonly authorization?: string | undefined
  readonly json?: unknown
  readonly body?: string | undefined
  readonly contentType?: string | undefined
  readonly signal?: AbortSignal | undefined
}

const parse = (text: string): unknown => {
  if (text === "") return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** One HTTP call as a promise: the status, headers and body (JSON when it is JSON). */
export const fetchAnswer = async (
  base: string,
  method: string,
  path: string,
  options: CallOptions = {}
): Promise<Answer> => {
  const headers: Record<string, string> = {}
  if (options.authorization !== undefined) headers.authorization = options.authorization
  else if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  let body: string | undefined = options.body
  if (options.json !== undefined) {
    body = JSON.stringify(options.json)
    headers["content-type"] = "application/json"
  }
  if (options.contentType !== undefined) headers["content-type"] = options.contentType
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
    ...(options.signal === undefined ? {} : { signal: options.signal })
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, text, body: parse(text) }
}

/** One HTTP call as an effect; a transport failure is a defect. */
export const call = (base: string, method: string, path: string, options: CallOptions = {}) =>
  Effect.promise(() => fetchAnswer(base, method, path, options))

export interface TestEvent {
  readonly id: string
  readonly user: string
  readonly requests: number
  readonly credits: number
  readonly occurredAt: string
}

/** `count` valid events for `users` (round robin), ids `${prefix}-${i}`, credits 1..7, on `day` (UTC). */
export const makeEvents = (
  prefix: string,
  count: number,
  users: ReadonlyArray<string>,
  day: string,
  from = 0
): Array<TestEvent> =>
  Array.from({ length: count }, (_, k) => {
    const i = from + k
    return {
      id: `${prefix}-${i}`,
      user: users[i % users.length]!,
      requests: 1 + (i % 3),
      credits: 1 + (i % 7),
      occurredAt: `${day}T${String(i % 24).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}:00Z`
    }
  })

/** Requests and credits summed per user. */
export const totalsByUser = (events: ReadonlyArray<TestEvent>) => {
  const totals = new Map<string, { requests: number; credits: number }>()
  for (const e of events) {
    const t = totals.get(e.user) ?? { requests: 0, credits: 0 }
    t.requests += e.requests
    t.credits += e.credits
    totals.set(e.user, t)
  }
  return totals
}

/** NDJSON of events. */
export const ndjson = (events: ReadonlyArray<unknown>): string => events.map((e) => JSON.stringify(e)).join("\n")

/** Today's UTC calendar date. */
export const todayUtc = (): string => new Date().toISOString().slice(0, 10)
