// The overview calls of the `overview` row with PostgreSQL as the store, against the same
// service over SQLite, interleaved in the same run: two services seeded with the demo data
// (PostgreSQL in a schema of its own, dropped after), v1 JSON and v1 XML, 50 connections.

import { generator, postMeasured } from "../lib/load.mjs"
import { cores } from "../lib/machine.mjs"
import { createSchema } from "../lib/pg.mjs"
import { figure } from "../lib/report.mjs"
import { summary } from "../lib/stats.mjs"
import { overviewForm, startSeededService, warmUp, wirePaths } from "./service.mjs"

export const id = "postgres"
export const title = "overview calls with PostgreSQL as the store, against SQLite"

export const run = async ({ quick, pgUrl }) => {
  const seconds = quick ? 2 : 5
  const warmSeconds = quick ? 1 : 2
  const rounds = 2
  const pg = await createSchema(pgUrl)
  const services = []
  try {
    services.push({ store: "sqlite", ...(await startSeededService({ core: cores.server })) })
    services.push({ store: "pg", ...(await startSeededService({ core: cores.server, databaseUrl: pg.url })) })
    const cases = [
      ["v1 JSON", wirePaths.json],
      ["v1 XML", wirePaths.xml]
    ]
    for (const [, path] of cases) for (const s of services) await warmUp(s.url, path, warmSeconds)
    const samples = []
    for (let round = 0; round < rounds; round++) {
      for (const [name, path] of cases) {
        const sample = { round, name }
        for (const s of round % 2 === 0 ? services : [...services].reverse()) {
          sample[s.store] = await postMeasured(s.pid, {
            url: s.url + path,
            body: overviewForm,
            connections: 50,
            seconds
          })
        }
        samples.push(sample)
      }
    }
    const figures = []
    for (const [name] of cases) {
      const own = samples.filter((x) => x.name === name)
      const pgRps = summary(own.map((x) => x.pg.rps))
      const sqliteRps = summary(own.map((x) => x.sqlite.rps))
      const ratios = summary(own.map((x) => x.pg.rps / x.sqlite.rps))
      figures.push(
        figure({
          name: `${name}: service on PostgreSQL vs SQLite`,
          value: pgRps.median,
          unit: "req/s",
          spread: { min: pgRps.min, max: pgRps.max },
          baseline: { name: "on SQLite", value: sqliteRps.median, unit: "req/s" },
          ratio: ratios.median,
          ratioText: `${ratios.median.toFixed(3)}x [${ratios.min.toFixed(2)}..${ratios.max.toFixed(2)}]`,
          target: { of: "ratio", op: ">=", limit: 0.5, text: ">= 0.5x SQLite" }
        }),
        figure({
          name: `${name}: p99 on PostgreSQL`,
          value: Math.max(...own.map((x) => x.pg.p99)),
          unit: "ms",
          baseline: { name: "p99 on SQLite", value: Math.max(...own.map((x) => x.sqlite.p99)), unit: "ms" },
          note: `max over the rounds; the services waited for their core up to ${Math.round(
            Math.max(0, ...own.flatMap((x) => [x.pg.waitShare ?? 0, x.sqlite.waitShare ?? 0])) * 100
          )}% of a run`
        })
      )
    }
    return { figures, raw: { generator, seconds, rounds, samples } }
  } finally {
    for (const s of services) await s.close()
    await pg.drop()
  }
}
