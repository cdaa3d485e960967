// Baseline server: fastify 5 with @fastify/formbody parsing the form, answering each known path
// with a fixed body.
import formbody from "@fastify/formbody"
import Fastify from "fastify"

const bodies = Object.entries(JSON.parse(process.env.BENCH_BODIES))
const app = Fastify({ logger: false })
await app.register(formbody)
for (const [path, { type, body }] of bodies) {
  const bytes = Buffer.from(body, "base64")
  app.post(path, (request, reply) => {
    if (request.body?.task !== "overview") return reply.code(400).send()
    return reply.header("content-type", type).send(bytes)
  })
}
await app.listen({ port: 0, host: "127.0.0.1" })
console.log(`listening http://127.0.0.1:${app.server.address().port}`)
process.on("SIGTERM", () => app.close().then(() => process.exit(0)))
