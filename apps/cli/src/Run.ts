import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { ExitCode } from "./CliFailure.js"
import { flushStdout } from "./Io.js"
import { main } from "./Main.js"

/** A running command: its exit code once done, and a way to interrupt it. */
export interface Running {
  /** Resolves with the exit code once the command is done and stdout flushed. */
  readonly exitCode: Promise<ExitCode>
  /** Interrupts the command, which stops cleanly and reports what was done. */
  readonly interrupt: () => void
}

/** Starts `account-overview` on `argv` in this process. */
export const start = (argv: ReadonlyArray<string>): Running => {
  const fiber = Effect.runFork(main(argv))
  const exitCode = new Promise<ExitCode>((resolve) => {
    fiber.addObserver((exit) => {
      const code = Exit.isSuccess(exit) ? exit.value : ExitCode.interrupted
      void flushStdout().then(() => resolve(code))
    })
  })
  return { exitCode, interrupt: () => fiber.interruptUnsafe() }
}
