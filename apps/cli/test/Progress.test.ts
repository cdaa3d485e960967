import { assert, describe, it } from "@effect/vitest"
import { registerSecret } from "../src/Io.js"
import { progress } from "../src/Progress.js"

const capture = (f: () => void): string => {
  const original = process.stderr.write.bind(process.stderr)
  let written = ""
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8")
    return true
  }) as typeof process.stderr.write
  try {
    f()
  } finally {
    process.stderr.write = original
  }
  return written
}

describe("Progress", () => {
  it("draws nothing when disabled, but still prints logged lines, secrets masked", () => {
    registerSecret("progress-secret-42")
    const text = capture(() => {
      const bar = progress({ enabled: false, label: "import", unit: "bytes", total: 100 })
      bar.update(50)
      bar.log("error: line 3: bad progress-secret-42")
      bar.stop()
    })
    assert.strictEqual(text, "error: line 3: bad ***\n")
  })

  it("draws a bar with the share done, clears it for a logged line, and removes it at the end", () => {
    const text = capture(() => {
      const bar = progress({ enabled: true, label: "import", unit: "bytes", total: 200 })
      bar.update(50)
      bar.log("error: line 3: bad")
      bar.stop()
    })
    assert.strictEqual(
      text,
      `\r\x1b[2Kimport ${"█".repeat(8)}${"░".repeat(22)} 25% 50/200 bytes\r\x1b[2Kerror: line 3: bad\n`
    )
  })

  it("counts without a bar when the total is unknown", () => {
    const text = capture(() => {
      const bar = progress({ enabled: true, label: "overviews", unit: "users" })
      bar.update(1234)
      bar.stop()
    })
    assert.strictEqual(text, "\r\x1b[2Koverviews 1,234 users\r\x1b[2K")
  })
})
