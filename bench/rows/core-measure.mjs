// Runs packages/core/bench/run.mjs's `measure` in a process of its own (a fresh heap, nothing
// else loaded) and prints its rows as one JSON line: `node core-measure.mjs '<options JSON>'`.
import { measure } from "../../packages/core/bench/run.mjs"

console.log(JSON.stringify({ rows: measure(JSON.parse(process.argv[2] ?? "{}")) }))
