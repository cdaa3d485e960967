import { spawn } from "node:child_process"
import { verifyWebhook } from "@account-overview/sdk"
import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { bin, cli, emptyConfigHome, secret, TestServer } from "../support/Harness.js"
import { Receiver } from "../support/Receiver.js"

const Setup = Layer.mergeAll(TestServer.layer, Receiver.layer)

/**
 * `webhooks listen` as a real process whose stderr is read as it comes:
 * `ready` waits for its ready line (the secret of the run), `stop` sends
 * SIGINT and gives the exit code and the output.
 */
const startListen = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const child = spawn(process.execPath, [bin, "webhooks", "listen", ...args], {
        env: { ...process.env, XDG_CONFIG_HOME: emptyConfigHome, NO_COLOR: "1", ...env },
        stdio: ["ignore", "pipe", "pipe"]
      })
      let stdout = ""
      let stderr = ""
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk
      })
      const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)))
      const ready = new Promise<string>((resolve, reject) => {
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
          stderr += chunk
          const match = /signing secret is (whsec_[A-Za-z0-9_-]+)/.exec(stderr)
          if (match !== null) resolve(match[1]!)
        })
        void exited.then((code) => reject(new Error(`listen exited ${code}: ${stderr}`)))
      })
      return {
        ready: Effect.promise(() => ready),
        stop: Effect.promise(async () => {
          child.kill("SIGINT")
          const code = await exited
          return { code, stdout, stderr }
        }),
        child
      }
    }),
    ({ child }) => Effect.sync(() => child.kill("SIGKILL"))
  )

layer(Setup, { excludeTestServices: true, timeout: "60 seconds" })("webhooks listen", (it) => {
  it.effect(
    "forwards each new event once, signed with the run's secret, which verifyWebhook accepts; old events are not forwarded",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const receiver = yield* Receiver
        const env = { ACCOUNT_OVERVIEW_BASE_URL: server.baseUrl, ACCOUNT_OVERVIEW_ADMIN_TOKEN: server.adminToken }
        yield* server.operator("PUT", "/v1/webhooks/dev", {
          url: `${receiver.url}/service`,
          events: ["usage.threshold_crossed"]
        })
        yield* server.operator("PUT", "/v1/packages/Listened", { credits: 100 })
        yield* server.operator("PUT", "/v1/resellers/listen-reseller", { apiKey: secret(`key-${crypto.randomUUID()}`) })
        for (const user of ["before@example.com", "after@example.com"]) {
          yield* server.operator("PUT", `/v1/customers/${user}`, {
            reseller: "listen-reseller",
            package: "Listened",
            billingAnchor: "2024-01-01",
            reputation: 100
          })
        }
        const usage = (id: string, user: string, credits: number) =>
          server.operator("POST", "/v1/usage", [
            { id, user, requests: 1, credits, occurredAt: new Date().toISOString() }
          ])
        // An alert from before the listener starts: in the log, never forwarded.
        yield* usage("before-1", "before@example.com", 90)
        yield* receiver.received("/service", 1)

        const listen = yield* startListen(["--forward-to", `${receiver.url}/local`, "--interval-ms", "100"], env)
        const localSecret = yield* listen.ready
        yield* usage("after-1", "after@example.com", 85)
        yield* receiver.received("/local", 1)
        yield* usage("after-2", "after@example.com", 20)
        const forwarded = yield* receiver.received("/local", 2)
        yield* receiver.received("/service", 3)
        const { code, stdout, stderr } = yield* listen.stop

        assert.strictEqual(code, 130, stderr)
        assert.include(stderr, "forwarded 2 events")
        assert.strictEqual(receiver.requests.filter((r) => r.path === "/local").length, 2)
        const events = forwarded.map((request) => {
          const header = request.headers["ao-signature"] as string
          assert.isTrue(verifyWebhook(request.body, header, localSecret), "signed with the run's secret")
          assert.isTrue(verifyWebhook(request.body.toString("utf8"), header, localSecret))
          assert.strictEqual(request.headers["content-type"], "application/json")
          const event = JSON.parse(request.body.toString("utf8"))
          assert.strictEqual(request.headers["ao-event-id"], event.id)
          return event
        })
        assert.deepStrictEqual(
          events.map((e) => [e.type, e.data.customer, e.data.threshold, e.data.creditsUsed]),
          [
            ["usage.threshold_crossed", "after@example.com", 80, 85],
            ["usage.threshold_crossed", "after@example.com", 100, 105]
          ]
        )
        const lines = stdout.trimEnd().split("\n")
        assert.strictEqual(lines.length, 2)
        assert.match(
          lines[0]!,
          new RegExp(`usage\\.threshold_crossed  ${events[0].id}  after@example\\.com  threshold 80  -> 204$`)
        )
        // The service's own deliveries carry the same event ids, under the endpoint's secret.
        const fromService = receiver.requests.filter((r) => r.path === "/service").map((r) => r.headers["ao-event-id"])
        assert.includeMembers(fromService, [events[0].id, events[1].id])
      }),
    { timeout: 60_000 }
  )

  it.effect(
    "a --forward-to that is not an http URL is a usage error; a service that cannot be read fails at once",
    () =>
      Effect.gen(function* () {
        const server = yield* TestServer
        const env = { ACCOUNT_OVERVIEW_BASE_URL: server.baseUrl, ACCOUNT_OVERVIEW_ADMIN_TOKEN: server.adminToken }
        const ftp = yield* cli(["webhooks", "listen", "--forward-to", "ftp://127.0.0.1/x"], { env })
        assert.strictEqual(ftp.code, 2)
        assert.strictEqual(ftp.stderr, "error: --forward-to must be an http or https URL, not ftp:\n")
        const unknown = yield* cli(
          ["webhooks", "listen", "--forward-to", "http://127.0.0.1:1/x", "--endpoint", "nope"],
          {
            env
          }
        )
        assert.strictEqual(unknown.code, 1)
        assert.match(unknown.stderr, /^error: not found/)
      })
  )
})
