#!/usr/bin/env node
// Writes src/internal/version.ts from package.json (the version the user-agent names), then
// nothing else: `pnpm build` runs it before tsc, so a version set by `changeset version` reaches
// the next build. The file is committed (type checks and tests read src/); a test checks that it
// matches package.json.
import { readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = dirname(fileURLToPath(import.meta.url))
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
const target = join(root, "src", "internal", "version.ts")
const text = `// Written by build.mjs from package.json: do not edit.\n\n/** The package's version. */\nexport const version = ${JSON.stringify(version)}\n`
let current = ""
try {
  current = readFileSync(target, "utf8")
} catch {}
if (current !== text) writeFileSync(target, text)
