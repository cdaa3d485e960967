import * as Data from "effect/Data"

/**
 * The process exit codes of `account-overview` (documented in the README).
 */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  unreachable: 3,
  interrupted: 130
} as const

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/**
 * Ends a command with an exit code. `message` (one plain sentence) is printed
 * once on stderr as `error: <message>`; without it the command has already
 * reported what went wrong (one line per failed user, per bad event).
 */
export class CliFailure extends Data.TaggedError("CliFailure")<{
  readonly exitCode: ExitCode
  readonly message?: string
}> {}

export const usageError = (message: string): CliFailure => new CliFailure({ exitCode: ExitCode.usage, message })

export const failed = (message?: string): CliFailure =>
  message === undefined
    ? new CliFailure({ exitCode: ExitCode.failed })
    : new CliFailure({ exitCode: ExitCode.failed, message })

/**
 * The worst of several exit codes: a usage error wins over an unreachable
 * service, which wins over a failed operation.
 */
export const worst = (a: ExitCode, b: ExitCode): ExitCode => (rank(b) > rank(a) ? b : a)

const rank = (code: ExitCode): number =>
  code === ExitCode.ok ? 0 : code === ExitCode.failed ? 1 : code === ExitCode.unreachable ? 2 : code === 2 ? 3 : 4
