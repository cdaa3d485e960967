#!/usr/bin/env node
// Bundles src/bin.ts into dist/account-overview.mjs (plus lazily loaded
// chunks under dist/chunks/), an executable that starts without resolving
// hundreds of modules. `node build.mjs --metafile` also writes
// dist/meta.json for inspecting what went where.
//
// The operator API declaration (core's OperatorApi, through effect/http-api)
// drags in the browser code of the API docs pages (Scalar, Swagger UI: 5.2 MB
// behind a dynamic import) that only the microservice serves; the CLI never
// renders them, so those two modules are replaced by a stub (decision 0055).
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"

const root = dirname(fileURLToPath(import.meta.url))
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
const outdir = join(root, "dist")

const docsViewerStub = {
  name: "no-docs-viewer",
  setup(build) {
    build.onResolve({ filter: /^\.\/internal\/httpApi(Scalar|Swagger)\.js$/ }, (args) =>
      /[\\/]effect[\\/]dist[\\/]http-api[\\/]/.test(args.importer)
        ? { path: args.path, namespace: "no-docs-viewer" }
        : undefined
    )
    build.onLoad({ filter: /.*/, namespace: "no-docs-viewer" }, () => ({
      contents: 'throw new Error("the API docs viewer is not part of the account-overview command")',
      loader: "js"
    }))
  }
}

// The SDK takes one class from undici, `Agent` (it dispatches through the
// handler API only); undici's index loads fetch, WebSocket, the mocks, the
// cache stores and the interceptors besides. The bundle takes the class from
// its own module instead.
const undiciAgentOnly = {
  name: "undici-agent-only",
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, (args) => ({
      path: "undici",
      namespace: "undici-agent-only",
      pluginData: { resolveDir: args.resolveDir }
    }))
    build.onLoad({ filter: /.*/, namespace: "undici-agent-only" }, (args) => ({
      contents: 'import Agent from "undici/lib/dispatcher/agent.js"\nexport { Agent }\n',
      resolveDir: args.pluginData.resolveDir,
      loader: "js"
    }))
  }
}

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
  plugins: [docsViewerStub, undiciAgentOnly],
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
