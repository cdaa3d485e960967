import { assert, describe, it } from "@effect/vitest"
import { CliFailure, ExitCode, failed, usageError, worst } from "../src/CliFailure.js"

describe("CliFailure", () => {
  it("ranks exit codes: usage over unreachable over failed over ok", () => {
    assert.strictEqual(worst(ExitCode.ok, ExitCode.failed), ExitCode.failed)
    assert.strictEqual(worst(ExitCode.unreachable, ExitCode.failed), ExitCode.unreachable)
    assert.strictEqual(worst(ExitCode.failed, ExitCode.usage), ExitCode.usage)
    assert.strictEqual(worst(ExitCode.usage, ExitCode.unreachable), ExitCode.usage)
  })

  it("usage errors exit 2 with their sentence; a bare failure exits 1 without one", () => {
    const usage = usageError("no api key")
    assert.instanceOf(usage, CliFailure)
    assert.strictEqual(usage.exitCode, ExitCode.usage)
    assert.strictEqual(usage.message, "no api key")
    assert.strictEqual(failed().exitCode, ExitCode.failed)
    assert.isNotOk(failed().message)
    assert.strictEqual(failed("boom").message, "boom")
  })
})
