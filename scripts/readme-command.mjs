#!/usr/bin/env node
// Prints the command the root README gives under "## Run it" (`run`) or "## Test it" (`test`):
// the first line of the section's first `sh` block. `.ci/run` runs the test command exactly as
// written, and the fresh-machine check the run command, so that both stay the README's.
// Plain syntax on purpose: it runs on the machine's Node, however old.
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

var headings = { run: "## Run it", test: "## Test it" }

export function readmeCommand(which) {
  var heading = headings[which]
  if (heading === undefined) throw new Error("which command: run or test")
  var readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8")
  var start = readme.indexOf("\n" + heading + "\n")
  if (start === -1) throw new Error("the README has no section " + heading)
  var end = readme.indexOf("\n## ", start + 1)
  var section = readme.slice(start, end === -1 ? undefined : end)
  var block = /```sh\n([^\n]+)\n/.exec(section)
  if (block === null) throw new Error("no sh block under " + heading + " in the README")
  return block[1].trim()
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(readmeCommand(process.argv[2]) + "\n")
}
