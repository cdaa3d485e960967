// The bench scripts' processes: servers started on core 0 (when taskset exists) and awaited until
// they say where they listen, stopped with SIGTERM, and the script itself run again on core 1.
import { spawn, spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"

/** Whether `taskset` can pin processes to cores here. */
export const hasTaskset = spawnSync("taskset", ["-c", "0", "true"]).status === 0

/** The command and arguments that run `args` on core 0 (as they are without taskset). */
export const pinned = (args) => (hasTaskset ? ["taskset", ["-c", "0", ...args]] : [args[0], args.slice(1)])

/**
 * Starts `args` on core 0 with `env` over this process's environment, stdout piped, stderr
 * inherited; resolves with the child and its URL once it prints where it listens (the service's
 * JSON log line, or `listening http://...` at the start of a line).
 */
export function startServer(args, env) {
  const [command, argv] = pinned(args)
  const child = spawn(command, argv, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] })
  return new Promise((resolve, reject) => {
    let buffered = ""
    const onData = (chunk) => {
      buffered += chunk
      const match =
        /"message":"listening".*?"url":"(http:\/\/[^"]+)"/.exec(buffered) ?? /^listening (http:\/\/\S+)/m.exec(buffered)
      if (match) {
        child.stdout.off("data", onData)
        child.stdout.resume()
        resolve({ child, url: match[1] })
      }
    }
    child.stdout.setEncoding("utf8")
    child.stdout.on("data", onData)
    child.on("exit", (code) => reject(new Error(`server exited with ${code} before listening`)))
  })
}

/** Stops a child with SIGTERM; resolves once it has exited (at once when it already has). */
export const stop = (child) =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once("exit", () => resolve())
    child.kill("SIGTERM")
  })

/**
 * Runs `main` when this process is the pinned one (or taskset is missing); else runs the script
 * at `scriptUrl` again on core 1, with the same arguments, SIGINT and SIGTERM passed on, and
 * exits with its code.
 */
export const runPinned = async (scriptUrl, main) => {
  if (hasTaskset && process.env.BENCH_PINNED !== "1") {
    const child = spawn("taskset", ["-c", "1", process.execPath, fileURLToPath(scriptUrl), ...process.argv.slice(2)], {
      stdio: "inherit",
      env: { ...process.env, BENCH_PINNED: "1" }
    })
    for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal))
    child.on("exit", (code) => process.exit(code ?? 1))
  } else {
    await main()
  }
}
