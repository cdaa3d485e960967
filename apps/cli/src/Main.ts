import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeStdio from "@effect/platform-node/NodeStdio"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as CliConfig from "effect/cli/CliConfig"
import type * as CliError from "effect/cli/CliError"
import * as CliOutput from "effect/cli/CliOutput"
import * as Command from "effect/cli/Command"
import * as GlobalFlag from "effect/cli/GlobalFlag"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"
import * as ChildProcessSpawner from "effect/process/ChildProcessSpawner"
import { command, executable } from "./Cli.js"
import { CliFailure, ExitCode } from "./CliFailure.js"
import { errLine, printError, registerSecret, streams } from "./Io.js"
import { debug, secretsFromEnvironment } from "./Settings.js"

/** The version printed by `--version`, set by the bundler from package.json. */
declare const __CLI_VERSION__: string
export const version: string = typeof __CLI_VERSION__ === "string" ? __CLI_VERSION__ : "0.0.0-dev"

const flagName = (option: string): string => {
  const bare = option.replace(/^-+/, "").split("=")[0] ?? ""
  return bare.length === 1 ? `-${bare}` : `--${bare}`
}

const suggestion = (suggestions: ReadonlyArray<string>): string =>
  suggestions.length === 0 ? "" : ` (did you mean ${suggestions.map((s) => `"${s.trim()}"`).join(" or ")}?)`

/**
 * One plain sentence for a parse error. Values given on the command line
 * are not echoed where they could be a misplaced secret (positional
 * arguments, unknown flags' values).
 */
export const describeUsageError = (error: CliError.NonShowHelpErrors, commandPath: ReadonlyArray<string>): string => {
  const where = `"${commandPath.join(" ")}"`
  switch (error._tag) {
    case "UnrecognizedOption":
      return `unknown flag ${flagName(error.option)} for ${where}${suggestion(error.suggestions)}`
    case "MissingOption":
      return `missing required flag --${error.option} for ${where}`
    case "MissingArgument":
      return `missing required argument <${error.argument}> for ${where}`
    case "UnexpectedArgument":
      return `${where} takes fewer arguments: ${error.arguments.length} too many`
    case "InvalidValue": {
      const expected = error.expected
        .replace(/^Expected:?\s*/i, "")
        .replace("a string representing a finite number", "a number")
        .replace(
          /^"[^"]*"(?: \| "[^"]*")+$/,
          (choices) => `one of: ${choices.replaceAll('"', "").split(" | ").join(", ")}`
        )
      const name = error.kind === "argument" ? `<${error.option}>` : `--${error.option}`
      return error.value === "" ? `${name} needs a value: ${expected}` : `invalid ${name}: expected ${expected}`
    }
    case "UnknownSubcommand":
      return `unknown command "${error.subcommand}" for ${where}${suggestion(error.suggestions)}`
    default:
      return error.message.split("\n")[0] ?? error.message
  }
}

const presenter: CliOutput.Presenter = {
  present: Effect.fnUntraced(function* (event) {
    const formatter = CliOutput.defaultFormatter({ colors: streams().stdoutColors })
    switch (event._tag) {
      case "Help":
        return yield* Console.log(formatter.formatHelpDoc(event.helpDoc))
      case "Version":
        return yield* Console.log(`${event.name} ${event.version}`)
      case "InvalidInvocation": {
        const first = event.errors[0]
        const sentence = first === undefined ? "invalid command line" : describeUsageError(first, event.commandPath)
        printError(`${sentence}; see ${event.commandPath.join(" ")} --help`)
      }
    }
  })
}

/**
 * What `effect/cli` needs to run. No flag reads files through it and no
 * command spawns processes, so the Node file system and process spawner are
 * left out: loading them cost 16-30 ms of each start.
 */
const environment = Layer.mergeAll(
  NodeStdio.layer,
  NodePath.layer,
  NodeTerminal.layer,
  FileSystem.layerNoop({}),
  Layer.succeed(ChildProcessSpawner.ChildProcessSpawner)(
    ChildProcessSpawner.make(() => Effect.die("account-overview spawns no process"))
  ),
  CliOutput.layerPresenter(presenter),
  CliConfig.layer({ builtIns: [GlobalFlag.Help, GlobalFlag.Version, GlobalFlag.Completions] })
)

const isShowHelp = (error: unknown): error is CliError.ShowHelp =>
  typeof error === "object" && error !== null && (error as { _tag?: unknown })._tag === "ShowHelp"

/**
 * Runs `account-overview` on `argv` (without node and the script) and gives
 * the exit code. Never fails: every failure is printed once, as one
 * sentence, on stderr.
 */
export const main = (argv: ReadonlyArray<string>): Effect.Effect<ExitCode> =>
  Effect.suspend(() => {
    for (const secret of secretsFromEnvironment(argv)) registerSecret(secret)
    return Command.runWith(command, { version })(argv)
  }).pipe(
    Effect.as(ExitCode.ok as ExitCode),
    Effect.catch((error): Effect.Effect<ExitCode> => {
      if (error instanceof CliFailure) {
        if (error.message !== undefined && error.message !== "") printError(error.message)
        return Effect.succeed(error.exitCode)
      }
      if (isShowHelp(error)) return Effect.succeed(error.errors.length > 0 ? ExitCode.usage : ExitCode.ok)
      printError(`${(error as { message?: string }).message ?? String(error)}`)
      return Effect.succeed(ExitCode.usage)
    }),
    Effect.catchCause((cause) => {
      if (Cause.hasInterruptsOnly(cause)) return Effect.succeed(ExitCode.interrupted as ExitCode)
      const squashed = Cause.squash(cause)
      printError(`unexpected failure: ${squashed instanceof Error ? squashed.message : String(squashed)}`)
      if (debug()) errLine(Cause.pretty(cause))
      return Effect.succeed(ExitCode.failed as ExitCode)
    }),
    Effect.provide(environment)
  )

export { executable }
