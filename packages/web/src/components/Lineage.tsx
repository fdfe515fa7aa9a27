/**
 * Lineage drawn as a graph: the runs and versions around a version, laid out by dagre (left to right: producers, the
 * version, consumers), drawn as SVG. Version nodes are links to their pages; the root is highlighted.
 */
import dagre from "@dagrejs/dagre"
import type { Models } from "@registrar/api"
import { Link, Routes } from "../Router.js"

type LineageGraph = typeof Models.LineageGraph.Type

const NODE_HEIGHT = 36
const CHAR_WIDTH = 7.2

/** A node's short label: a run's id, a version's `name:vN` (the full id is its title). */
export const shortLabel = (node: { readonly kind: string; readonly id: string }): string =>
  node.kind === "run" ? `run ${node.id.split("/").pop()}` : (node.id.split("/").pop() ?? node.id)

/** `entity/project/name:vN` as its page, or none for what is not a version key. */
const versionHref = (id: string): string | undefined => {
  const found = /^([^/]+)\/([^/]+)\/([^:]+):(v\d+)$/.exec(id)
  return found === null ? undefined : Routes.sourceVersion(found[1]!, found[2]!, found[3]!, found[4]!)
}

/** Lays the graph out: node boxes and edge polylines. */
export const layout = (graph: LineageGraph) => {
  const g = new dagre.graphlib.Graph()
  g.setGraph({ rankdir: "LR", nodesep: 18, ranksep: 48, marginx: 8, marginy: 8 })
  g.setDefaultEdgeLabel(() => ({}))
  for (const node of graph.nodes)
    g.setNode(node.id, { width: Math.max(90, shortLabel(node).length * CHAR_WIDTH + 24), height: NODE_HEIGHT })
  for (const edge of graph.edges) g.setEdge(edge.from, edge.to)
  dagre.layout(g)
  const size = g.graph()
  return {
    width: size.width ?? 0,
    height: size.height ?? 0,
    nodes: graph.nodes.map((node) => ({ ...node, ...g.node(node.id) })),
    edges: graph.edges.map((edge) => ({ ...edge, points: g.edge(edge.from, edge.to)?.points ?? [] }))
  }
}

/** The lineage graph of a version. */
export const Lineage = ({ graph }: { readonly graph: LineageGraph }) => {
  const laid = layout(graph)
  return (
    <figure className="lineage">
      <figcaption>
        Lineage of <code>{graph.root}</code>: {graph.nodes.filter((node) => node.kind === "run").length} runs,{" "}
        {graph.nodes.filter((node) => node.kind === "version").length} versions
      </figcaption>
      <div className="scroll">
        <svg
          width={laid.width}
          height={laid.height}
          viewBox={`0 0 ${laid.width} ${laid.height}`}
          aria-label="Lineage graph"
        >
          <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
              <path d="M0,0 L10,5 L0,10 z" fill="#6b7280" />
            </marker>
          </defs>
          {laid.edges.map((edge) => (
            <polyline
              key={`${edge.from}->${edge.to}`}
              points={edge.points.map((point: { x: number; y: number }) => `${point.x},${point.y}`).join(" ")}
              fill="none"
              stroke="#6b7280"
              markerEnd="url(#arrow)"
              data-edge={`${edge.from} ${edge.kind} ${edge.to}`}
            >
              <title>{`${edge.from} ${edge.kind} ${edge.to}`}</title>
            </polyline>
          ))}
          {laid.nodes.map((node) => {
            const href = node.kind === "version" ? versionHref(node.id) : undefined
            const box = (
              <g
                key={node.id}
                transform={`translate(${node.x - node.width / 2},${node.y - node.height / 2})`}
                className={`node ${node.kind}${node.id === graph.root ? " root" : ""}`}
                data-node={node.id}
                data-kind={node.kind}
              >
                <title>{`${node.kind} ${node.id}`}</title>
                <rect width={node.width} height={node.height} rx={node.kind === "run" ? 18 : 4} />
                <text x={node.width / 2} y={NODE_HEIGHT / 2 + 4} textAnchor="middle">
                  {shortLabel(node)}
                </text>
              </g>
            )
            return href === undefined ? (
              box
            ) : (
              <Link key={node.id} href={href} aria-label={`version ${node.label}`}>
                {box}
              </Link>
            )
          })}
        </svg>
      </div>
    </figure>
  )
}
