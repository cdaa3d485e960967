// Calendar dates (YYYY-MM-DD, UTC) for the page.

const dayMillis = 86_400_000

const toDay = (date: string): number => Math.round(Date.parse(`${date}T00:00:00Z`) / dayMillis)

const fromDay = (day: number): string => new Date(day * dayMillis).toISOString().slice(0, 10)

/** How far into its cycle `today` is: day x of y, n days left after today. */
export const dayOfCycle = (start: string, end: string, today: string): { day: number; of: number; left: number } => {
  const of = toDay(end) - toDay(start) + 1
  const day = Math.min(of, Math.max(1, toDay(today) - toDay(start) + 1))
  return { day, of, left: of - day }
}

/** Every date from `start` to `end`, inclusive. */
export const daysBetween = (start: string, end: string): Array<string> => {
  const out: Array<string> = []
  for (let d = toDay(start); d <= toDay(end); d++) out.push(fromDay(d))
  return out
}

/** The running sums. */
export const cumulative = (values: ReadonlyArray<number>): Array<number> => {
  let sum = 0
  return values.map((v) => {
    sum += v
    return sum
  })
}
