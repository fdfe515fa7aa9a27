#!/usr/bin/env node
// The `registrar` executable: the compiled CLI in dist/src/main.js (built by `tsc -b`), or the same code bundled by
// `pnpm --filter @registrar/cli-demo bundle` when that bundle is newer than every workspace file it was built from
// (it starts in a fraction of the time). REGISTRAR_NO_BUNDLE=1 always uses dist/src/main.js.
import { readFileSync, statSync } from "node:fs"

const packageRoot = new URL("../", import.meta.url)

const bundleIsCurrent = () => {
  if (process.env.REGISTRAR_NO_BUNDLE === "1") return false
  try {
    const stamp = JSON.parse(readFileSync(new URL("dist/bundle/inputs.json", packageRoot), "utf8"))
    return stamp.inputs.every((input) => statSync(new URL(input, packageRoot)).mtimeMs <= stamp.builtAt)
  } catch {
    return false
  }
}

await import(bundleIsCurrent() ? "../dist/bundle/registrar.js" : "../dist/src/main.js")
