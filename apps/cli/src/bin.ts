import { enableCompileCache } from "node:module"

// Before anything else is loaded, so that every later module is read from
// V8's code cache on the next runs.
enableCompileCache?.()

const { start } = await import("./Run.js")

// A reader that went away (`| head`) is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0)
  throw error
})

const running = start(process.argv.slice(2))

// The first SIGINT or SIGTERM interrupts the command; a second one exits at once.
let signals = 0
const onSignal = () => {
  signals += 1
  if (signals > 1) process.exit(130)
  running.interrupt()
}
process.on("SIGINT", onSignal)
process.on("SIGTERM", onSignal)

process.exit(await running.exitCode)
