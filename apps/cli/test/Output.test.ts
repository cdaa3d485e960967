import type { CalendarDate, Overview } from "@account-overview/core"
import { assert, describe, it } from "@effect/vitest"
import { ExitCode } from "../src/CliFailure.js"
import {
  daysLeft,
  type Outcome,
  type OverviewWriterOptions,
  overviewKeys,
  overviewWriter,
  usageBar
} from "../src/Output.js"
import { style } from "../src/Table.js"

const seed: Overview = {
  reputation: 100,
  requests: 50000,
  package: "Silver Package",
  creditsAllowed: 50000,
  creditsUsed: 100000,
  creditsRemain: 0,
  creditsOverage: 50000,
  billingStartDate: "2010-08-30" as CalendarDate,
  billingEndDate: "2010-09-29" as CalendarDate,
  billingProcessDate: "2010-09-30" as CalendarDate
}

const ok = (user: string, overview: Overview = seed): Outcome => ({ user, ok: true, overview })
const notFound = (user: string): Outcome => ({
  user,
  ok: false,
  failure: {
    code: "not_found",
    status: 404,
    messages: ["User not found"],
    sentence: `customer "${user}" was not found (404)`,
    exitCode: ExitCode.failed
  }
})

const render = (options: Partial<OverviewWriterOptions>, outcomes: ReadonlyArray<Outcome>): string => {
  const chunks: Array<Buffer> = []
  const writer = overviewWriter({
    output: "json",
    single: false,
    dialect: "v1",
    today: "2010-09-20" as CalendarDate,
    colors: false,
    unicode: false,
    ...options,
    sink: (chunk) => chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk))
  })
  for (const outcome of outcomes) writer.write(outcome)
  writer.end()
  return Buffer.concat(chunks).toString("latin1")
}

const wire = {
  user: "alice",
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

describe("Output", () => {
  it("json: one object under the wire names for a single user", () => {
    const text = render({ output: "json", single: true }, [ok("alice")])
    assert.deepStrictEqual(JSON.parse(text), wire)
    assert.deepStrictEqual(Object.keys(JSON.parse(text)), Object.keys(wire))
  })

  it("json: an array for several users, failures as error entries", () => {
    const text = render({ output: "json" }, [ok("alice"), notFound("bob")])
    assert.deepStrictEqual(JSON.parse(text), [
      wire,
      { user: "bob", error: { code: "not_found", status: 404, messages: ["User not found"] } }
    ])
    assert.deepStrictEqual(JSON.parse(render({ output: "json" }, [])), [])
  })

  it("ndjson: one object a line", () => {
    const lines = render({ output: "ndjson" }, [ok("alice"), notFound("bob")])
      .trimEnd()
      .split("\n")
    assert.strictEqual(lines.length, 2)
    assert.deepStrictEqual(JSON.parse(lines[0]!), wire)
    assert.deepStrictEqual(JSON.parse(lines[1]!).error.code, "not_found")
  })

  it("json and ndjson with fields: only those keys, in that order; a failure's entry whole", () => {
    const lines = render({ output: "ndjson", fields: ["credits_remain", "user"] }, [ok("a@x"), notFound("b@x")])
      .trimEnd()
      .split("\n")
    assert.deepStrictEqual(lines, [
      '{"credits_remain":0,"user":"a@x"}',
      '{"user":"b@x","error":{"code":"not_found","status":404,"messages":["User not found"]}}'
    ])
    assert.strictEqual(
      render({ output: "json", single: true, fields: ["package"] }, [ok("a@x")]),
      '{\n  "package": "Silver Package"\n}\n'
    )
    assert.deepStrictEqual(overviewKeys.slice(0, 3), ["user", "reputation", "requests"])
  })

  it("csv: a header row and RFC 4180 quoting; failures left to stderr", () => {
    const text = render({ output: "csv" }, [ok("a,b", { ...seed, package: 'The "Best", Package' }), notFound("bob")])
    assert.strictEqual(
      text,
      "user,reputation,requests,package,credits_allowed,credits_used,credits_remain,credits_overage,billing_start_date,billing_end_date,billing_process_date\n" +
        '"a,b",100,50000,"The ""Best"", Package",50000,100000,0,50000,2010-08-30,2010-09-29,2010-09-30\n'
    )
    assert.strictEqual(render({ output: "csv" }, []).split("\n").length, 2)
  })

  it("xml: the wire document for one user, the same bytes the service sends", () => {
    const text = render({ output: "xml", single: true }, [ok("alice")])
    assert.strictEqual(
      text,
      '<?xml version="1.0" encoding="ISO-8859-1"?>\n\n<result>\n   <overview>\n      <reputation>100</reputation>\n      <requests>50000</requests>\n      <package>Silver Package</package>\n      <credits_allowed>50000</credits_allowed>\n      <credits_used>100000</credits_used>\n      <credits_remain>0</credits_remain>\n      <credits_overage>50000</credits_overage>\n      <billing_start_date>2010-08-30</billing_start_date>\n      <billing_end_date>2010-09-29</billing_end_date>\n      <billing_process_date>2010-09-30</billing_process_date>\n   </overview>\n</result>\n'
    )
  })

  it("xml: several users as results named by a user attribute, in ISO-8859-1", () => {
    const text = render({ output: "xml" }, [
      ok('caf\u00e9 "1"', { ...seed, package: "Pr\u00e9mium & Co" }),
      notFound("bob")
    ])
    assert.isTrue(
      text.startsWith(
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n\n<results>\n   <result user="caf\u00e9 &quot;1&quot;">\n'
      )
    )
    assert.include(text, "<package>Pr\u00e9mium &amp; Co</package>")
    assert.include(
      text,
      '   <result user="bob">\n      <message>error</message>\n      <errors>\n         <error>User not found</error>'
    )
    assert.isTrue(text.endsWith("   </result>\n</results>\n"))
  })

  it("table: package, used of allowed with a bar, remaining, overage, cycle and days left; no ANSI when asked", () => {
    const text = render({ output: "table" }, [
      ok("alice"),
      notFound("bob"),
      ok("carol", { ...seed, creditsUsed: 10000, creditsRemain: 40000, creditsOverage: 0 })
    ])
    assert.strictEqual(
      text,
      [
        "USER   PACKAGE           USED / ALLOWED  USAGE                        REMAIN  OVERAGE  CYCLE                     DAYS LEFT",
        "alice  Silver Package  100,000 / 50,000  [####################] 200%       0   50,000  2010-08-30 to 2010-09-29          9",
        "carol  Silver Package   10,000 / 50,000  [####................] 20%   40,000        0  2010-08-30 to 2010-09-29          9",
        ""
      ].join("\n")
    )
    assert.notInclude(text, "\x1b[")
    assert.include(render({ output: "table", colors: true }, [ok("alice")]), "\x1b[")
  })

  it("usage bar: capped at full, coloured by how much is used", () => {
    const plain = style(false)
    assert.strictEqual(usageBar(0, 100, false, plain), "[....................] 0%")
    assert.strictEqual(usageBar(50, 100, false, plain), "[##########..........] 50%")
    assert.strictEqual(usageBar(300, 100, false, plain), "[####################] 300%")
    assert.strictEqual(usageBar(0, 0, false, plain), "[....................] 0%")
    assert.strictEqual(usageBar(5, 0, false, plain), "[####################] over")
    assert.strictEqual(usageBar(50, 100, true, plain), `${"█".repeat(10)}${"░".repeat(10)} 50%`)
    assert.include(usageBar(150, 100, false, style(true)), "\x1b[31m")
    assert.include(usageBar(90, 100, false, style(true)), "\x1b[33m")
    assert.include(usageBar(10, 100, false, style(true)), "\x1b[32m")
  })

  it("days left: from today to the cycle's last day", () => {
    assert.strictEqual(daysLeft("2010-09-20" as CalendarDate, "2010-09-29" as CalendarDate), 9)
    assert.strictEqual(daysLeft("2010-09-29" as CalendarDate, "2010-09-29" as CalendarDate), 0)
    assert.strictEqual(daysLeft("2024-02-28" as CalendarDate, "2024-03-01" as CalendarDate), 2)
  })
})
