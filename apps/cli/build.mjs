#!/usr/bin/env node
// Bundles src/bin.ts into dist/account-overview.mjs (plus lazily loaded
// chunks under dist/chunks/), an executable that starts without resolving
// hundreds of modules. `node build.mjs --metafile` also writes
// dist/meta.json for inspecting what went where.
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"

const root = dirname(fileURLToPath(import.meta.url))
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
const outdir = join(root, "dist")

const result = await build({
  absWorkingDir: root,
  entryPoints: { "account-overview": "src/bin.ts" },
  outdir,
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node22",
  mainFields: ["module", "main"],
  conditions: ["import", "node"],
  treeShaking: true,
  minifySyntax: true,
  legalComments: "none",
  logLevel: "warning",
  write: false,
  metafile: process.argv.includes("--metafile"),
  define: { __CLI_VERSION__: JSON.stringify(pkg.version) },
  banner: {
    js: [
      "#!/usr/bin/env node",
      'import { createRequire as __aoCreateRequire } from "node:module";',
      "const require = __aoCreateRequire(import.meta.url);"
    ].join("\n")
  }
})

// Written only once the whole bundle is built, so that a failed build
// leaves the previous one whole; stale chunks are removed first.
rmSync(join(outdir, "chunks"), { recursive: true, force: true })
for (const file of result.outputFiles) {
  mkdirSync(dirname(file.path), { recursive: true })
  writeFileSync(file.path, file.contents)
}
if (result.metafile) writeFileSync(join(outdir, "meta.json"), JSON.stringify(result.metafile))
chmodSync(join(outdir, "account-overview.mjs"), 0o755)
