import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { enabled, formatLine, LogLayer, LogSink, StartupLogLayer } from "../src/Log.js"
import { Settings } from "../src/Settings.js"

describe("Log", () => {
  it("formats one JSON object per line, time, level and message first, fields after, undefined left out", () => {
    const line = formatLine(
      "info",
      "listening",
      { url: "http://x", port: 3000, gone: undefined, level: "not me" },
      new Date(0)
    )
    assert.strictEqual(
      line,
      '{"time":"1970-01-01T00:00:00.000Z","level":"info","message":"listening","url":"http://x","port":3000}'
    )
  })

  it("passes a level at or above the minimum", () => {
    assert.isTrue(enabled("Info", "Warn"))
    assert.isTrue(enabled("Info", "Info"))
    assert.isFalse(enabled("Info", "Debug"))
    assert.isFalse(enabled("None", "Fatal"))
  })

  it.effect(
    "LogLayer writes through the LogSink at the settings' level, annotations as fields, redacted values hidden",
    () =>
      Effect.gen(function* () {
        const lines: Array<string> = []
        yield* Effect.gen(function* () {
          yield* Effect.logDebug("hidden")
          yield* Effect.logWarning("shown").pipe(Effect.annotateLogs({ requestId: "r1", key: Redacted.make("s3cret") }))
        }).pipe(
          Effect.provide(LogLayer.pipe(Layer.provide(Settings.layerTest({ logLevel: "Info" })))),
          Effect.provideService(LogSink, (line) => lines.push(line))
        )
        assert.strictEqual(lines.length, 1)
        const record = JSON.parse(lines[0]!)
        assert.strictEqual(record.level, "warn")
        assert.strictEqual(record.message, "shown")
        assert.strictEqual(record.requestId, "r1")
        assert.notInclude(lines[0]!, "s3cret")
      })
  )

  it.effect("StartupLogLayer writes JSON lines through the LogSink at info, before any setting is read", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      yield* Effect.gen(function* () {
        yield* Effect.logDebug("hidden")
        yield* Effect.logInfo("starting").pipe(Effect.annotateLogs({ command: "migrate" }))
        yield* Effect.logError("cannot start: a setting is invalid")
      }).pipe(
        Effect.provide(StartupLogLayer),
        Effect.provideService(LogSink, (line) => lines.push(line))
      )
      assert.deepStrictEqual(
        lines.map((line) => {
          const { level, message, command } = JSON.parse(line)
          return [level, message, command]
        }),
        [
          ["info", "starting", "migrate"],
          ["error", "cannot start: a setting is invalid", undefined]
        ]
      )
    })
  )
})
