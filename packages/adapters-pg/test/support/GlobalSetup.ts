/** Before the package's tests: one fresh PGlite cluster to start every test's PGlite from. */
import { ensureFreshCluster } from "./FreshCluster.js"

export default async function setup(): Promise<void> {
  await ensureFreshCluster()
}
