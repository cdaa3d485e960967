// Baseline server: bare node:http answering each known path with a fixed body (read the request
// body, then answer). With BENCH_SQLITE=<file> it first does one node:sqlite primary-key read
// per request and answers the bytes it read (the same body, stored in 1,000 rows per path).
import http from "node:http"
import { DatabaseSync } from "node:sqlite"

const bodies = new Map(
  Object.entries(JSON.parse(process.env.BENCH_BODIES)).map(([path, { type, body }]) => [
    path,
    { type, body: Buffer.from(body, "base64") }
  ])
)
const rowsPerPath = 1000

let answer = (entry) => entry.body
if (process.env.BENCH_SQLITE) {
  const db = new DatabaseSync(process.env.BENCH_SQLITE)
  db.exec("PRAGMA journal_mode = WAL")
  db.exec("CREATE TABLE IF NOT EXISTS bodies (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
  const insert = db.prepare("INSERT OR REPLACE INTO bodies (id, body) VALUES (?, ?)")
  let first = 1
  db.exec("BEGIN")
  for (const entry of bodies.values()) {
    entry.first = first
    for (let i = 0; i < rowsPerPath; i++) insert.run(first + i, entry.body)
    first += rowsPerPath
  }
  db.exec("COMMIT")
  const read = db.prepare("SELECT body FROM bodies WHERE id = ?")
  let n = 0
  answer = (entry) => {
    n = (n + 1) % rowsPerPath
    return read.get(entry.first + n).body
  }
}

const server = http.createServer((req, res) => {
  const entry = bodies.get(req.url)
  req.on("data", () => {})
  req.on("end", () => {
    if (entry === undefined) {
      res.writeHead(404, { "content-length": 0 })
      res.end()
      return
    }
    const body = answer(entry)
    res.writeHead(200, { "content-type": entry.type, "content-length": body.length })
    res.end(body)
  })
})
server.listen(0, "127.0.0.1", () => console.log(`listening http://127.0.0.1:${server.address().port}`))
process.on("SIGTERM", () => server.close(() => process.exit(0)))
