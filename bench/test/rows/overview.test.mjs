import { assert, describe, it } from "vitest"
import { parseRounds } from "../../rows/overview.mjs"

describe("parseRounds", () => {
  it("reads the rounds table of apps/http/bench/overview.mjs, with or without the CPU columns", () => {
    const stdout = `50 keep-alive connections, 10 s per run, server on core 0, load on core 1
case                   round  bytes  bare req/s  p50  p99  cpu µs | ours req/s  p50  p99  cpu µs | ratio  cpu ratio
v1 JSON                    1    253       26987    0    9    14.7 |      13558    3   12    55.5 | 0.50x  0.27x
v1 JSON, store stubbed     2    253       29797    0    9    13.6 |      24088    0    9    21.0 | 0.81x  0.65x
v1 XML       1    552        8625    0   66 |       2034   12  118 | 0.24x
v1 JSON: 0.5x bare (13534 vs 27085 req/s), p99 13 ms; server CPU 54.5 vs 14.8 µs per request
{"bench":"http-overview","results":[]}`
    assert.deepStrictEqual(parseRounds(stdout), [
      { name: "v1 JSON", round: 1, bareRps: 26987, rps: 13558, p99: 12, ratio: 0.5 },
      { name: "v1 JSON, store stubbed", round: 2, bareRps: 29797, rps: 24088, p99: 9, ratio: 0.81 },
      { name: "v1 XML", round: 1, bareRps: 8625, rps: 2034, p99: 118, ratio: 0.24 }
    ])
  })
})
