import http from "node:http"
import type { AddressInfo } from "node:net"
import {
  type CalendarDate,
  type Dialect,
  encodeErrorBody,
  encodeOverview,
  type Format,
  type Overview
} from "@account-overview/core"

export const overview: Overview = {
  reputation: 100,
  requests: 50000,
  package: "Silver Package",
  creditsAllowed: 50000,
  creditsUsed: 100000,
  creditsRemain: 0,
  creditsOverage: 50000,
  billingStartDate: "2010-08-30" as CalendarDate,
  billingEndDate: "2010-09-29" as CalendarDate,
  billingProcessDate: "2010-09-30" as CalendarDate
}

export const contentType = { json: "application/json; charset=utf-8", xml: "text/xml; charset=ISO-8859-1" } as const

export interface Recorded {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
  readonly at: number
}

export interface TestServer {
  readonly url: string
  readonly requests: Array<Recorded>
  /** How many requests were being handled at once, at most. */
  readonly maxInFlight: () => number
  readonly close: () => Promise<void>
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, request: Recorded, n: number) => void

/** A node:http server on an ephemeral port; `handle` answers the n-th request (0-based). */
export const startServer = async (handle: Handler): Promise<TestServer> => {
  const requests: Array<Recorded> = []
  let inFlight = 0
  let maxInFlight = 0
  const server = http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    res.on("close", () => inFlight--)
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const recorded: Recorded = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: performance.now()
      }
      requests.push(recorded)
      handle(req, res, recorded, requests.length - 1)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

export const sendOverview = (
  res: http.ServerResponse,
  format: Format = "json",
  dialect: Dialect = "v1",
  value: Overview = overview
) => {
  const body = encodeOverview(value, format, dialect)
  res.writeHead(200, { "content-type": contentType[format], "content-length": body.byteLength })
  res.end(body)
}

export const sendError = (
  res: http.ServerResponse,
  status: number,
  messages: readonly [string, ...Array<string>],
  headers: http.OutgoingHttpHeaders = {},
  format: Format = "json"
) => {
  const body = encodeErrorBody(messages, format)
  res.writeHead(status, { "content-type": contentType[format], "content-length": body.byteLength, ...headers })
  res.end(body)
}

/** Answers from the request's path: the format from its extension, the overview in that format. */
export const wireHandler: Handler = (_req, res, request) => {
  const format: Format = request.url.split("?")[0]!.endsWith(".xml") ? "xml" : "json"
  const dialect: Dialect = request.url.startsWith("/apiv2/") ? "v2" : "v1"
  sendOverview(res, format, dialect)
}

/** Collects unhandled rejections while installed. */
export const watchUnhandledRejections = () => {
  const seen: Array<unknown> = []
  const listener = (reason: unknown) => {
    seen.push(reason)
  }
  process.on("unhandledRejection", listener)
  return {
    seen,
    stop: () => {
      process.off("unhandledRejection", listener)
    }
  }
}

export const elapsedSince = (start: number) => performance.now() - start
