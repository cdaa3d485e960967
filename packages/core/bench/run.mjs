#!/usr/bin/env node
// Benchmarks of the wire codecs against their baselines, on the seed's
// overview: ops/s, medians of interleaved rounds, ratios against targets.
// Runs on the built package (`dist/`): build first.
import { mkdirSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Schema } from "effect"
import { XMLBuilder, XMLParser, XMLValidator } from "fast-xml-parser"
import { contentTypeOf, decodeResponse, encodeOverview } from "../dist/index.js"

const seedXml = `<?xml version="1.0" encoding="ISO-8859-1"?>

<result>
   <overview>
      <reputation>100</reputation>
      <requests>50000</requests>
      <package>Silver Package</package>
      <credits_allowed>50000</credits_allowed>
      <credits_used>100000</credits_used>
      <credits_remain>0</credits_remain>
      <credits_overage>50000</credits_overage>
      <billing_start_date>2010-08-30</billing_start_date>
      <billing_end_date>2010-09-29</billing_end_date>
      <billing_process_date>2010-09-30</billing_process_date>
   </overview>
</result>
`

const seedOverview = {
  reputation: 100,
  requests: 50000,
  package: "Silver Package",
  creditsAllowed: 50000,
  creditsUsed: 100000,
  creditsRemain: 0,
  creditsOverage: 50000,
  billingStartDate: "2010-08-30",
  billingEndDate: "2010-09-29",
  billingProcessDate: "2010-09-30"
}

const seedWire = {
  result: {
    overview: {
      reputation: 100,
      requests: 50000,
      package: "Silver Package",
      credits_allowed: 50000,
      credits_used: 100000,
      credits_remain: 0,
      credits_overage: 50000,
      billing_start_date: "2010-08-30",
      billing_end_date: "2010-09-29",
      billing_process_date: "2010-09-30"
    }
  }
}

let sink = 0
const consume = (value) => {
  sink = (sink + (typeof value === "string" ? value.length : value === undefined ? 0 : 1)) | 0
}

/**
 * The cases: ours against a baseline. `target` bounds `ratio`, ours' time
 * per operation divided by the baseline's (`max`: at most; `min`: at least).
 */
export const cases = () => {
  const xmlBytes = Buffer.from(seedXml, "latin1")
  const xmlType = contentTypeOf("xml")
  const jsonText = new TextDecoder().decode(encodeOverview(seedOverview, "json", "v1"))
  const jsonBytes = Buffer.from(jsonText, "utf8")
  const jsonType = contentTypeOf("json")
  const parser = new XMLParser()
  const builder = new XMLBuilder()
  const check = (r) => {
    if (r._tag !== "Success" || r.success._tag !== "Overview") throw new Error("benchmark input does not decode")
    return r
  }
  check(decodeResponse(xmlBytes, xmlType))
  check(decodeResponse(jsonBytes, jsonType))
  return [
    {
      name: "XML decode",
      ours: { name: "decodeResponse(bytes, text/xml)", run: () => consume(decodeResponse(xmlBytes, xmlType)._tag) },
      baseline: { name: "fast-xml-parser XMLParser.parse(bytes)", run: () => consume(parser.parse(xmlBytes).result) },
      target: { kind: "max", ratio: 1.5, text: "ours <= 1.5x the baseline's time" }
    },
    {
      name: "XML encode",
      ours: {
        name: "encodeOverview(overview, xml, v1)",
        run: () => consume(encodeOverview(seedOverview, "xml", "v1"))
      },
      baseline: { name: "fast-xml-parser XMLBuilder.build(object)", run: () => consume(builder.build(seedWire)) },
      target: { kind: "max", ratio: 1 / 8, text: "ours >= 8x faster (ratio <= 0.125)" }
    },
    {
      name: "JSON decode",
      ours: {
        name: "decodeResponse(bytes, application/json)",
        run: () => consume(decodeResponse(jsonBytes, jsonType)._tag)
      },
      baseline: { name: "JSON.parse(string)", run: () => consume(JSON.parse(jsonText)) },
      target: { kind: "max", ratio: 4, text: "ours <= 4x the baseline's time" }
    }
  ]
}

/**
 * The XML decoders considered before the scanner (decision 0011): fast-xml-parser
 * with Schema validation on top, with and without its validator (without
 * it, truncated documents are accepted). Each against bare `parse`.
 */
export const alternativeCases = () => {
  const xmlBytes = Buffer.from(seedXml, "latin1")
  const xmlType = contentTypeOf("xml")
  const bare = new XMLParser()
  const strings = new XMLParser({ parseTagValue: false, htmlEntities: true })
  const Count = Schema.NumberFromString.pipe(
    Schema.decodeTo(Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0))))
  )
  const Wire = Schema.Struct({
    result: Schema.Struct({
      overview: Schema.Struct({
        reputation: Schema.NumberFromString,
        requests: Count,
        package: Schema.String,
        credits_allowed: Count,
        credits_used: Count,
        credits_remain: Count,
        credits_overage: Count,
        billing_start_date: Schema.String,
        billing_end_date: Schema.String,
        billing_process_date: Schema.String
      })
    })
  })
  const decode = Schema.decodeUnknownExit(Wire)
  const baseline = { name: "fast-xml-parser XMLParser.parse(bytes)", run: () => consume(bare.parse(xmlBytes).result) }
  const target = { kind: "max", ratio: 1.5, text: "ours <= 1.5x the baseline's time" }
  return [
    {
      name: "XML decode: fxp + Schema",
      ours: { name: "parse(parseTagValue: false) + Schema", run: () => consume(decode(strings.parse(xmlBytes))._tag) },
      baseline,
      target
    },
    {
      name: "XML decode: fxp validate + parse + Schema",
      ours: {
        name: "XMLValidator.validate + parse + Schema",
        run: () => {
          const text = xmlBytes.toString("latin1")
          if (XMLValidator.validate(text) === true) consume(decode(strings.parse(text))._tag)
        }
      },
      baseline,
      target
    },
    {
      name: "XML decode: scanner (shipped)",
      ours: { name: "decodeResponse(bytes, text/xml)", run: () => consume(decodeResponse(xmlBytes, xmlType)._tag) },
      baseline,
      target
    }
  ]
}

const opsPerSecond = (run, ms) => {
  let n = 0
  const start = performance.now()
  let elapsed = 0
  do {
    for (let i = 0; i < 500; i++) run()
    n += 500
    elapsed = performance.now() - start
  } while (elapsed < ms)
  return (n * 1000) / elapsed
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

/**
 * Measures every case: `warmupMs` of warm-up per function, then `rounds`
 * interleaved rounds of `batchMs` each (ours and baseline alternating, the
 * order flipped every round). Returns one row per case, medians of the rounds.
 */
export const measure = ({ rounds = 7, batchMs = 150, warmupMs = 300, alternatives = false } = {}) => {
  const all = alternatives ? alternativeCases() : cases()
  for (const c of all) {
    opsPerSecond(c.ours.run, warmupMs)
    opsPerSecond(c.baseline.run, warmupMs)
  }
  const samples = all.map(() => ({ ours: [], baseline: [] }))
  for (let r = 0; r < rounds; r++) {
    all.forEach((c, i) => {
      const order = r % 2 === 0 ? ["ours", "baseline"] : ["baseline", "ours"]
      for (const side of order) samples[i][side].push(opsPerSecond(c[side].run, batchMs))
    })
  }
  return all.map((c, i) => {
    const ours = median(samples[i].ours)
    const baseline = median(samples[i].baseline)
    const ratio = baseline / ours
    return {
      name: c.name,
      ours: { name: c.ours.name, opsPerSecond: Math.round(ours) },
      baseline: { name: c.baseline.name, opsPerSecond: Math.round(baseline) },
      ratio: Number(ratio.toFixed(4)),
      target: c.target.text,
      met: c.target.kind === "max" ? ratio <= c.target.ratio : ratio >= c.target.ratio
    }
  })
}

const format = (rows) => {
  const header = ["case", "ours ops/s", "baseline ops/s", "ours time / baseline", "target", "met"]
  const lines = rows.map((r) => [
    r.name,
    r.ours.opsPerSecond.toLocaleString("en-US"),
    r.baseline.opsPerSecond.toLocaleString("en-US"),
    `${r.ratio.toFixed(3)}x`,
    r.target,
    r.met ? "yes" : "NO"
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)))
  const row = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join("  ")
  return [row(header), row(widths.map((w) => "-".repeat(w))), ...lines.map(row)].join("\n")
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes("--alternatives")) {
  console.log(format(measure({ alternatives: true })))
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = measure()
  console.log(format(rows))
  for (const r of rows) console.log(`${r.name}: ours = ${r.ours.name}; baseline = ${r.baseline.name}`)
  const dir = fileURLToPath(new URL("../../../bench/results/", import.meta.url))
  mkdirSync(dir, { recursive: true })
  const out = {
    package: "@account-overview/core",
    node: process.version,
    date: new Date().toISOString(),
    rows,
    sink
  }
  writeFileSync(`${dir}core.json`, `${JSON.stringify(out, null, 2)}\n`)
  console.log("written bench/results/core.json")
  if (rows.some((r) => !r.met)) process.exitCode = 1
}
