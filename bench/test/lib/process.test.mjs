import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, assert, describe, it } from "vitest"
import { cpuMicros, descendants, lastJsonLine, rssMB, runScript, startServer, stop } from "../../lib/process.mjs"

const dir = mkdtempSync(join(tmpdir(), "ao-bench-test-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const script = (name, source) => {
  const file = join(dir, name)
  writeFileSync(file, source)
  return file
}

describe("lastJsonLine", () => {
  it("takes the last line that is a JSON object", () => {
    assert.deepStrictEqual(lastJsonLine('table\n{"a":1}\n{"b":2}\ntrailing text\n'), { b: 2 })
  })

  it("skips lines that only look like JSON, and fails without any", () => {
    assert.deepStrictEqual(lastJsonLine('{"a":1}\n{not json\n'), { a: 1 })
    assert.throws(() => lastJsonLine("no figures"), /no JSON line/)
  })
})

describe("runScript", () => {
  it("answers the stdout of a script that exits 0, with the environment given", async () => {
    const file = script(
      "ok.mjs",
      "console.log(JSON.stringify({ seen: process.env.BENCH_TEST, argv: process.argv.slice(2) }))"
    )
    const { stdout } = await runScript(file, ["--x", "1"], { env: { BENCH_TEST: "yes" } })
    assert.deepStrictEqual(lastJsonLine(stdout), { seen: "yes", argv: ["--x", "1"] })
  })

  it("fails when the script exits non-zero, unless that code is allowed", async () => {
    const file = script("fail.mjs", 'console.log("partial"); process.exit(3)')
    let error
    try {
      await runScript(file)
    } catch (e) {
      error = e
    }
    assert.match(String(error), /exited with 3/)
    const { code } = await runScript(file, [], { allowExit: [3] })
    assert.strictEqual(code, 3)
  })
})

describe("servers and /proc", () => {
  it("starts a server, finds where it listens, sees its memory, CPU and children, and stops it", async () => {
    const file = script(
      "server.mjs",
      `import http from "node:http"
import { spawn } from "node:child_process"
const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" })
const server = http.createServer((req, res) => res.end("ok"))
server.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ message: "listening", url: "http://127.0.0.1:" + server.address().port })))
process.on("SIGTERM", () => { sleeper.kill(); server.close(() => process.exit(0)) })`
    )
    const server = await startServer([process.execPath, file])
    try {
      assert.strictEqual(await (await fetch(server.url)).text(), "ok")
      assert.isAbove(rssMB(server.pid), 10)
      const before = cpuMicros(server.pid)
      assert.isAtLeast(before, 0)
      let children = []
      for (let i = 0; i < 50 && children.length === 0; i++) {
        children = descendants(server.pid)
        if (children.length === 0) await new Promise((r) => setTimeout(r, 20))
      }
      assert.strictEqual(children.length, 1)
    } finally {
      await stop(server.child)
    }
    assert.isNotNull(server.child.exitCode)
  })

  it("fails when the server exits before listening", async () => {
    const file = script("dies.mjs", "process.exit(4)")
    let error
    try {
      await startServer([process.execPath, file])
    } catch (e) {
      error = e
    }
    assert.match(String(error), /exited with 4 before listening/)
  })
})
