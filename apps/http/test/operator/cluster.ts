import { execFileSync } from "node:child_process"
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import { connect, createServer, type Server, type Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"

/** A PostgreSQL that a test may stop and start again. */
export interface Outage {
  readonly url: string
  readonly kind: "private cluster" | "proxy"
  readonly stop: () => Promise<void>
  readonly start: () => Promise<void>
  readonly cleanup: () => Promise<void>
}

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      probe.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject()))
    })
  })

/** Where `initdb` and `pg_ctl` are: `PG_BINDIR`, else the newest Debian-style install. */
export const postgresBin = (): string | undefined => {
  const given = process.env.PG_BINDIR
  if (given !== undefined && given !== "") return existsSync(join(given, "initdb")) ? given : undefined
  const root = "/usr/lib/postgresql"
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] === undefined ? undefined : join(root, versions[0], "bin")
}

const asRoot = typeof process.getuid === "function" && process.getuid() === 0

/**
 * A throwaway PostgreSQL cluster of its own (initdb in a temp folder, a free
 * port, run as the `postgres` user when the test runs as root, since the
 * server refuses root), so that stopping it disturbs no other test.
 */
const privateCluster = async (): Promise<Outage | undefined> => {
  const bin = postgresBin()
  if (bin === undefined) return undefined
  const dir = mkdtempSync(join(tmpdir(), "ao-pg-"))
  const run = (tool: string, args: ReadonlyArray<string>) =>
    asRoot
      ? execFileSync("runuser", ["-u", "postgres", "--", join(bin, tool), ...args], { stdio: "pipe" })
      : execFileSync(join(bin, tool), [...args], { stdio: "pipe" })
  try {
    if (asRoot) chownSync(dir, Number(execFileSync("id", ["-u", "postgres"]).toString().trim()), -1)
    run("initdb", ["-D", join(dir, "data"), "-A", "trust", "-U", "postgres", "--no-sync"])
  } catch {
    rmSync(dir, { recursive: true, force: true })
    return undefined
  }
  const port = await freePort()
  const data = join(dir, "data")
  const start = async () => {
    run("pg_ctl", [
      "-D",
      data,
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      "-l",
      join(dir, "log"),
      "-w",
      "start"
    ])
  }
  const stop = async () => {
    run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"])
  }
  await start()
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    kind: "private cluster",
    start,
    stop,
    cleanup: async () => {
      await stop().catch(() => undefined)
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

/**
 * The fallback where no cluster can be made: a TCP proxy we control in
 * front of the shared PostgreSQL; stopping it closes its port and cuts
 * every connection through it.
 */
const proxy = async (target: URL): Promise<Outage> => {
  const port = await freePort()
  const sockets = new Set<Socket>()
  let server: Server | undefined
  const start = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname)
        for (const s of [client, upstream]) {
          sockets.add(s)
          s.once("close", () => sockets.delete(s))
          s.on("error", () => {
            client.destroy()
            upstream.destroy()
          })
        }
        client.pipe(upstream).pipe(client)
      })
      server.once("error", reject)
      server.listen(port, "127.0.0.1", () => resolve())
    })
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      server === undefined ? resolve() : server.close(() => resolve())
    })
  await start()
  const url = new URL(target.toString())
  url.hostname = "127.0.0.1"
  url.port = String(port)
  return {
    url: url.toString(),
    kind: "proxy",
    start,
    stop,
    cleanup: stop
  }
}

/** A PostgreSQL to stop and start, for the length of the scope: a private cluster, else a proxy. */
export const outagePostgres = (sharedUrl: string) =>
  Effect.acquireRelease(
    Effect.promise(async () => (await privateCluster()) ?? (await proxy(new URL(sharedUrl)))),
    (outage) => Effect.promise(() => outage.cleanup())
  )
