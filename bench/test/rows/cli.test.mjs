import { assert, describe, it } from "vitest"
import { parseStartup } from "../../rows/cli.mjs"

describe("parseStartup", () => {
  it("reads the medians of apps/cli/bench/startup.mjs", () => {
    const stdout = `node v24.21.0, 21 runs each, compile cache on
node -e 0                                  median    23.9 ms  1.00x
account-overview --help                    median    86.8 ms  3.63x
account-overview overview (local server)   median   150.3 ms  6.29x
--help ratio 3.63x (target <= 4x): met
`
    const rows = parseStartup(stdout)
    assert.deepStrictEqual(
      [...rows.keys()],
      ["node -e 0", "account-overview --help", "account-overview overview (local server)"]
    )
    assert.deepStrictEqual(rows.get("account-overview --help"), { ms: 86.8, ratio: 3.63 })
  })
})
