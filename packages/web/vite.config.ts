/**
 * The Registry App's build: React through @vitejs/plugin-react, the workspace's API definition from its sources (the
 * `@registrar/source` condition, as the tests use), hashed assets in dist/app/assets, no inline script (the server's
 * Content-Security-Policy allows scripts from the origin only) and no source maps in the shipped files.
 */
import react from "@vitejs/plugin-react"
import { defineConfig } from "vite"

export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ["@registrar/source", "browser", "module", "import", "default"] },
  build: {
    outDir: "dist/app",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: "es2022"
  }
})
