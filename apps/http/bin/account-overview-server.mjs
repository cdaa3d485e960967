#!/usr/bin/env node
// The `account-overview-server` command: checks the Node.js version before
// anything else is loaded, then runs the service's entry. Plain syntax that
// any Node.js able to load an ES module parses, so that an old one gets this
// one line and exit 1 instead of `ERR_UNKNOWN_BUILTIN_MODULE: node:sqlite`.
var version = process.versions.node.split(".").map(Number)
if (version[0] < 22 || (version[0] === 22 && version[1] < 19)) {
  process.stderr.write(
    "account-overview-server needs Node.js >= 22.19 (this is " +
      process.version +
      "): install Node.js 24 from https://nodejs.org (or `nvm install 24`), or run it with `npx -y -p node@24 -p @account-overview/http account-overview-server`\n"
  )
  process.exit(1)
}
import("../dist/bin.js")
