import { assert, describe, it } from "vitest"
import { summarize } from "../profile.mjs"

const frame = (functionName, url, lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: "1" })

describe("summarize", () => {
  it("sums self time by package and by function, as shares of the sampled time", () => {
    const profile = {
      nodes: [
        { id: 1, callFrame: frame("(root)", "") },
        {
          id: 2,
          callFrame: frame(
            "runLoop",
            "file:///w/node_modules/.pnpm/effect@4.1.0/node_modules/effect/dist/internal/effect.js",
            452
          )
        },
        { id: 3, callFrame: frame("run", "file:///w/packages/store/dist/SqliteClient.js", 117) },
        { id: 4, callFrame: frame("(idle)", "") },
        {
          id: 5,
          callFrame: frame(
            "compile",
            "file:///w/node_modules/.pnpm/@effect+sql-pg@4.0.5/node_modules/@effect/sql-pg/dist/x.js",
            9
          )
        }
      ],
      samples: [2, 3, 3, 4, 2, 5],
      timeDeltas: [100, 200, 200, 300, 100, 100]
    }
    const s = summarize(profile)
    assert.strictEqual(s.totalMs, 1)
    assert.deepStrictEqual(
      s.byPackage.map((r) => [r.name, r.share]),
      [
        ["packages/store", 0.4],
        ["(idle)", 0.3],
        ["effect", 0.2],
        ["@effect/sql-pg", 0.1]
      ]
    )
    assert.strictEqual(s.byFunction[0].name, "run dist/SqliteClient.js:118")
  })
})
