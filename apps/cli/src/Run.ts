import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { ExitCode } from "./Failure.js"
import { flushStdout } from "./Io.js"
import { main } from "./Main.js"

/**
 * Runs the command in this process and exits with its code. The first
 * SIGINT or SIGTERM interrupts the command (which stops cleanly and reports
 * what was done); a second one exits at once.
 */
export const run = (argv: ReadonlyArray<string>): void => {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(ExitCode.ok)
    throw error
  })
  const fiber = Effect.runFork(main(argv))
  let signals = 0
  const onSignal = () => {
    signals += 1
    if (signals > 1) process.exit(ExitCode.interrupted)
    fiber.interruptUnsafe()
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
  fiber.addObserver((exit) => {
    const code = Exit.isSuccess(exit) ? exit.value : ExitCode.interrupted
    process.off("SIGINT", onSignal)
    process.off("SIGTERM", onSignal)
    void flushStdout().then(() => process.exit(code))
  })
}
