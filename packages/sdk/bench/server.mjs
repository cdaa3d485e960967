// A bare node:http server answering every request with one fixed overview body (v1 JSON).
import http from "node:http"

const body = Buffer.from(
  JSON.stringify({
    reputation: 100,
    requests: 50000,
    package: "Silver Package",
    credits_allowed: 50000,
    credits_used: 100000,
    credits_remain: 0,
    credits_overage: 50000,
    billing_start_date: "2010-08-30",
    billing_end_date: "2010-09-29",
    billing_process_date: "2010-09-30"
  })
)
const headers = { "content-type": "application/json; charset=utf-8", "content-length": body.length }

const server = http.createServer((req, res) => {
  req.resume()
  req.on("end", () => {
    res.writeHead(200, headers)
    res.end(body)
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, "127.0.0.1", () => process.send?.({ port: server.address().port }))
process.on("disconnect", () => server.close(() => process.exit(0)))
