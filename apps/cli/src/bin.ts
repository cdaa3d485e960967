import { enableCompileCache } from "node:module"

enableCompileCache?.()

const { run } = await import("./Run.js")
run(process.argv.slice(2))
