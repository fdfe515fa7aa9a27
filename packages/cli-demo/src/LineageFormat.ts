/** Prints a lineage graph as an indented tree around its root version, as Mermaid or as Graphviz DOT. */

/** A node of the graph: a run or an artifact version. */
export interface Node {
  readonly id: string
  readonly kind: "run" | "version"
  readonly label: string
}

/** An edge, in the direction data flows: run → version it produced, version → run that used it. */
export interface Edge {
  readonly from: string
  readonly to: string
  readonly kind: "produced" | "used"
}

/** A lineage graph around a root version. */
export interface Graph {
  readonly root: string
  readonly nodes: ReadonlyArray<Node>
  readonly edges: ReadonlyArray<Edge>
}

const step = (node: Node, edge: Edge): { readonly label: string; readonly next: string } => {
  if (node.kind === "version") {
    return edge.kind === "produced"
      ? { label: `produced by run ${edge.from}`, next: edge.from }
      : { label: `used by run ${edge.to}`, next: edge.to }
  }
  return edge.kind === "used"
    ? { label: `used ${edge.from}`, next: edge.from }
    : { label: `produced ${edge.to}`, next: edge.to }
}

/** The graph as a tree: from the root, what produced it and its inputs (upstream), and who used it (downstream). */
export const tree = (graph: Graph): string => {
  const byId = new Map(graph.nodes.map((node) => [node.id, node]))
  const visited = new Set<string>([graph.root])
  const lines: Array<string> = [graph.root]
  const walk = (id: string, prefix: string) => {
    const node = byId.get(id)
    if (node === undefined) return
    const steps = graph.edges
      .filter((edge) => edge.from === id || edge.to === id)
      .map((edge) => step(node, edge))
      .filter((next) => !visited.has(next.next))
    steps.forEach((next, position) => {
      const last = position === steps.length - 1
      lines.push(`${prefix}${last ? "└─ " : "├─ "}${next.label}`)
      visited.add(next.next)
      walk(next.next, `${prefix}${last ? "   " : "│  "}`)
    })
  }
  walk(graph.root, "")
  if (lines.length === 1)
    lines.push("└─ (no runs recorded: log with --run, or record use with `registrar artifact use`)")
  return lines.join("\n")
}

const ids = (graph: Graph) => new Map(graph.nodes.map((node, index) => [node.id, `n${index}`]))

/** The graph as a Mermaid flowchart (runs rounded, the root highlighted). */
export const mermaid = (graph: Graph): string => {
  const id = ids(graph)
  const quote = (text: string) => text.replace(/"/g, "#quot;")
  return [
    "flowchart LR",
    ...graph.nodes.map((node) =>
      node.kind === "run"
        ? `  ${id.get(node.id)}(["run ${quote(node.label)}"])`
        : `  ${id.get(node.id)}["${quote(node.label)}"]`
    ),
    ...graph.edges.map((edge) => `  ${id.get(edge.from)} -- ${edge.kind} --> ${id.get(edge.to)}`),
    `  style ${id.get(graph.root)} stroke-width:3px`
  ].join("\n")
}

/** The graph as Graphviz DOT (runs as ellipses, versions as boxes, the root bold). */
export const dot = (graph: Graph): string => {
  const quote = (text: string) => `"${text.replace(/(["\\])/g, "\\$1")}"`
  return [
    "digraph lineage {",
    "  rankdir=LR;",
    ...graph.nodes.map(
      (node) =>
        `  ${quote(node.id)} [shape=${node.kind === "run" ? "ellipse" : "box"}, label=${quote(node.kind === "run" ? `run ${node.label}` : node.label)}${node.id === graph.root ? ", style=bold" : ""}];`
    ),
    ...graph.edges.map((edge) => `  ${quote(edge.from)} -> ${quote(edge.to)} [label=${quote(edge.kind)}];`),
    "}"
  ].join("\n")
}
