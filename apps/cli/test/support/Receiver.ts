import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * A webhook receiver on an ephemeral loopback port: records every request
 * (path, headers, raw body) and answers 204; `received(path, n)` waits until
 * `n` requests reached `path`.
 */

export interface Received {
  readonly path: string
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

export interface ReceiverShape {
  readonly url: string
  readonly requests: ReadonlyArray<Received>
  /** The requests to `path`, once there are `n` of them. */
  readonly received: (path: string, n: number) => Effect.Effect<ReadonlyArray<Received>>
}

export class Receiver extends Context.Service<Receiver, ReceiverShape>()("@account-overview/cli/test/Receiver") {
  static readonly layer = Layer.effect(
    Receiver,
    Effect.gen(function* () {
      const requests: Array<Received> = []
      const waiting = new Set<() => void>()
      const server = yield* Effect.acquireRelease(
        Effect.callback<ReturnType<typeof createServer>>((resume) => {
          const server = createServer((req, res) => {
            const chunks: Array<Buffer> = []
            req.on("data", (chunk: Buffer) => chunks.push(chunk))
            req.on("end", () => {
              requests.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) })
              res.writeHead(204).end()
              for (const wake of waiting) wake()
            })
          })
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
        }),
        (server) =>
          Effect.callback<void>((resume) => {
            server.closeAllConnections()
            server.close(() => resume(Effect.void))
          })
      )
      const { port } = server.address() as AddressInfo
      const at = (path: string) => requests.filter((r) => r.path === path)
      const received = (path: string, n: number) =>
        Effect.callback<ReadonlyArray<Received>>((resume) => {
          const check = () => {
            const found = at(path)
            if (found.length >= n) {
              waiting.delete(check)
              resume(Effect.succeed(found))
            }
          }
          waiting.add(check)
          check()
          return Effect.sync(() => waiting.delete(check))
        })
      return Receiver.of({ url: `http://127.0.0.1:${port}`, requests, received })
    })
  )
}
