import * as Http from "node:http"
import { assert, describe, it } from "@effect/vitest"
import { Context, Deferred, Effect, Layer, Option, Redacted } from "effect"
import { Settings, type TracingSettings } from "../src/Settings.js"
import { layerWireSpans } from "../src/Tracing.js"
import { type WireAnswer, WireHandler } from "../src/wire/Handler.js"
import { acme, fetchBytes, form, Harness, harness, overviewParams } from "./fixtures/Harness.js"

/** What the receiver got: one POST of an exporter. */
interface Export {
  readonly path: string
  readonly contentType: string
  readonly headers: Http.IncomingHttpHeaders
  readonly body: Buffer
}

/** A small OTLP/HTTP receiver on an ephemeral port: takes POST /v1/traces, answers 200 `{}`. */
const receiver = Effect.acquireRelease(
  Effect.gen(function* () {
    const exports: Array<Export> = []
    const first = yield* Deferred.make<void>()
    const server = Http.createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        if (request.method !== "POST" || request.url !== "/v1/traces") {
          response.writeHead(404).end()
          return
        }
        exports.push({
          path: request.url,
          contentType: request.headers["content-type"] ?? "",
          headers: request.headers,
          body: Buffer.concat(chunks)
        })
        response.writeHead(200, { "content-type": "application/json" }).end("{}")
        Deferred.doneUnsafe(first, Effect.void)
      })
    })
    const port = yield* Effect.callback<number>((resume) => {
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
      })
    })
    return { server, exports, first, url: `http://127.0.0.1:${port}/v1/traces` }
  }),
  ({ server }) =>
    Effect.callback<void>((resume) => {
      server.close(() => resume(Effect.void))
    })
)

interface Span {
  readonly name: string
  readonly kind: number
  readonly attributes: Readonly<Record<string, unknown>>
}

interface OtlpJsonValue {
  readonly stringValue?: string
  readonly intValue?: number | string
  readonly boolValue?: boolean
  readonly doubleValue?: number
}

const jsonValue = (value: OtlpJsonValue): unknown =>
  value.stringValue ??
  (value.intValue === undefined ? undefined : Number(value.intValue)) ??
  value.boolValue ??
  value.doubleValue

const spansOfJson = (body: Buffer): { readonly service: unknown; readonly spans: ReadonlyArray<Span> } => {
  const data = JSON.parse(body.toString("utf8")) as {
    resourceSpans: Array<{
      resource: { attributes: Array<{ key: string; value: OtlpJsonValue }> }
      scopeSpans: Array<{
        spans: Array<{ name: string; kind: number; attributes: Array<{ key: string; value: OtlpJsonValue }> }>
      }>
    }>
  }
  const resource = data.resourceSpans[0]!.resource.attributes
  return {
    service: jsonValue(resource.find((a) => a.key === "service.name")!.value),
    spans: data.resourceSpans.flatMap((r) =>
      r.scopeSpans.flatMap((s) =>
        s.spans.map((span) => ({
          name: span.name,
          kind: span.kind,
          attributes: Object.fromEntries(span.attributes.map((a) => [a.key, jsonValue(a.value)]))
        }))
      )
    )
  }
}

/** The fields of one protobuf message: number, wire type, bytes (length-delimited) or number. */
const protobufFields = (bytes: Uint8Array): Array<{ field: number; value: Uint8Array | bigint }> => {
  const fields: Array<{ field: number; value: Uint8Array | bigint }> = []
  let i = 0
  const varint = (): bigint => {
    let result = 0n
    let shift = 0n
    for (;;) {
      const byte = bytes[i++]!
      result |= BigInt(byte & 0x7f) << shift
      if ((byte & 0x80) === 0) return result
      shift += 7n
    }
  }
  while (i < bytes.length) {
    const key = Number(varint())
    const field = key >> 3
    switch (key & 7) {
      case 0:
        fields.push({ field, value: varint() })
        break
      case 1:
        i += 8
        fields.push({ field, value: 0n })
        break
      case 2: {
        const length = Number(varint())
        fields.push({ field, value: bytes.subarray(i, i + length) })
        i += length
        break
      }
      case 5:
        i += 4
        fields.push({ field, value: 0n })
        break
      default:
        throw new Error(`wire type ${key & 7} at ${i}`)
    }
  }
  return fields
}

const text = (value: Uint8Array | bigint) => new TextDecoder().decode(value as Uint8Array)

/** The span names and kinds of an OTLP TracesData message (resource_spans=1, scope_spans=2, spans=2, name=5, kind=6). */
const spansOfProtobuf = (body: Buffer): ReadonlyArray<{ readonly name: string; readonly kind: number }> =>
  protobufFields(body)
    .filter((f) => f.field === 1)
    .flatMap((resourceSpans) => protobufFields(resourceSpans.value as Uint8Array).filter((f) => f.field === 2))
    .flatMap((scopeSpans) => protobufFields(scopeSpans.value as Uint8Array).filter((f) => f.field === 2))
    .map((span) => {
      const fields = protobufFields(span.value as Uint8Array)
      return {
        name: text(fields.find((f) => f.field === 5)!.value),
        kind: Number(fields.find((f) => f.field === 6)?.value ?? 0n)
      }
    })

const serverKind = 2
const adminToken = `admin-${crypto.randomUUID()}`
const collectorKey = `collector-${crypto.randomUUID()}`
const leaked = `leaked-${crypto.randomUUID()}`

/** Runs calls against the service traced into `url`, then stops it (which exports what is left). */
const tracedRun = (tracing: TracingSettings) =>
  Effect.scoped(
    Effect.gen(function* () {
      const context = yield* Layer.build(
        harness({ settings: { tracing: Option.some(tracing), adminToken: Option.some(Redacted.make(adminToken)) } })
      )
      const { baseUrl } = Context.get(context, Harness)
      const wire = yield* fetchBytes(`${baseUrl}/api/distributor.account.json`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: form(overviewParams("under@acme.example"))
      })
      assert.strictEqual(wire.status, 200)
      const operator = yield* fetchBytes(`${baseUrl}/v1/customers/under%40acme.example`, {
        headers: { authorization: `Bearer ${adminToken}` }
      })
      assert.strictEqual(operator.status, 200)
      assert.strictEqual((yield* fetchBytes(`${baseUrl}/metrics`)).status, 200)
      assert.strictEqual((yield* fetchBytes(`${baseUrl}/api/x/y?api_key=${leaked}`)).status, 404)
    })
  )

describe("traces over OTLP/HTTP", () => {
  it.effect(
    "an overview call's span reaches a receiver, as OTLP JSON, with the exporter's headers",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const otlp = yield* receiver
          yield* tracedRun({
            url: otlp.url,
            protocol: "http/json",
            serviceName: "account-overview-test",
            headers: Option.some(Redacted.make({ "x-collector-key": collectorKey }))
          })
          yield* Deferred.await(otlp.first).pipe(Effect.timeout("20 seconds"))
          assert.isAbove(otlp.exports.length, 0)
          for (const sent of otlp.exports) {
            assert.strictEqual(sent.contentType, "application/json")
            assert.strictEqual(sent.headers["x-collector-key"], collectorKey)
            const body = sent.body.toString("utf8")
            for (const secret of [acme.apiKey, adminToken, leaked]) assert.notInclude(body, secret)
          }
          const all = otlp.exports.map((sent) => spansOfJson(sent.body))
          assert.strictEqual(all[0]!.service, "account-overview-test")
          const spans = all.flatMap((batch) => batch.spans)
          const overview = spans.find((span) => span.name === "overview /api/distributor.account.json")
          assert.isDefined(overview, `spans: ${spans.map((s) => s.name).join(", ")}`)
          assert.strictEqual(overview!.kind, serverKind)
          assert.strictEqual(overview!.attributes["http.route"], "/api/distributor.account.json")
          assert.strictEqual(overview!.attributes["http.response.status_code"], 200)
          assert.strictEqual(overview!.attributes["account_overview.dialect"], "v1")
          const operator = spans.find((span) => span.name === "GET /v1/customers/:user")
          assert.isDefined(operator, `spans: ${spans.map((s) => s.name).join(", ")}`)
          assert.strictEqual(operator!.kind, serverKind)
          assert.isUndefined(
            spans.find((span) => span.name.includes("/metrics")),
            "no span for a scrape"
          )
        })
      ),
    30_000
  )

  it.effect(
    "an overview call's span reaches a receiver as OTLP protobuf, the protocol by default",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const otlp = yield* receiver
          yield* tracedRun({
            url: otlp.url,
            protocol: "http/protobuf",
            serviceName: "account-overview-test",
            headers: Option.none()
          })
          yield* Deferred.await(otlp.first).pipe(Effect.timeout("20 seconds"))
          for (const sent of otlp.exports) {
            assert.strictEqual(sent.contentType, "application/x-protobuf")
            for (const secret of [acme.apiKey, adminToken, leaked])
              assert.notInclude(sent.body.toString("latin1"), secret)
          }
          const spans = otlp.exports.flatMap((sent) => spansOfProtobuf(sent.body))
          assert.deepInclude(spans, { name: "overview /api/distributor.account.json", kind: serverKind })
          assert.deepInclude(spans, { name: "GET /v1/customers/:user", kind: serverKind })
        })
      ),
    30_000
  )
})

describe("layerWireSpans", () => {
  const answer: WireAnswer = { status: 200, contentType: "application/json", body: new Uint8Array() }
  const inner = WireHandler.of({ answer: () => Effect.succeed(answer) })
  const handlerWith = (tracing: Option.Option<TracingSettings>) =>
    Effect.map(
      Layer.build(
        layerWireSpans.pipe(
          Layer.provide(Layer.succeed(WireHandler, inner)),
          Layer.provide(Settings.layerTest({ tracing }))
        )
      ),
      (context) => Context.get(context, WireHandler)
    ).pipe(Effect.scoped)

  it.effect("is the handler itself when tracing is off: nothing added to the hot path", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* handlerWith(Option.none()), inner)
    })
  )

  it.effect("wraps each call in a span when tracing is on, answering the same", () =>
    Effect.gen(function* () {
      const traced = yield* handlerWith(
        Option.some({
          url: "http://127.0.0.1:1/v1/traces",
          protocol: "http/json",
          serviceName: "x",
          headers: Option.none()
        })
      )
      assert.notStrictEqual(traced, inner)
      const call = { format: "json", dialect: "v1", query: "", bearer: undefined, address: "", requestId: "r" } as const
      assert.deepStrictEqual(yield* traced.answer(call), answer)
    })
  )
})
