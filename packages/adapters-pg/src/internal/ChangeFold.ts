/**
 * Folds a sequence of read-model changes into few bulk statements: per (table, key) only the final effect
 * survives (a put, a patch of whatever row the database holds, or a delete). A DeleteWhere depends on rows not in
 * memory, so it closes the current segment: segments apply in order, each as upserts, patches, deletes (disjoint
 * keys, so their order does not matter), then its DeleteWhere.
 */
import type { Change, Row } from "@registrar/domain"

type Folded =
  | { readonly kind: "put"; readonly row: Row }
  | { readonly kind: "patch"; readonly patch: Row }
  | { readonly kind: "delete" }

/** A row (or patch) to write: table, key and value. */
export interface Written {
  readonly t: string
  readonly k: string
  readonly v: Row
}

/** The bulk writes of one segment. */
export interface Segment {
  readonly puts: ReadonlyArray<Written>
  readonly patches: ReadonlyArray<Written>
  readonly deletes: ReadonlyArray<{ readonly t: string; readonly k: string }>
  readonly deleteWhere: { readonly table: string; readonly field: string; readonly value: string } | undefined
}

/** Accumulates changes; `take` returns the segments to write and starts over. */
export interface ChangeFolder {
  readonly add: (changes: ReadonlyArray<Change>) => void
  /** How many changes were added since the last `take`. */
  readonly size: () => number
  readonly take: () => ReadonlyArray<Segment>
}

type KeyedChange = Exclude<Change, { readonly _tag: "DeleteWhere" }>

const fold = (previous: Folded | undefined, change: KeyedChange): Folded => {
  switch (change._tag) {
    case "Put":
      return { kind: "put", row: change.row }
    case "Delete":
      return { kind: "delete" }
    case "Patch":
      if (previous === undefined) return { kind: "patch", patch: change.patch }
      if (previous.kind === "put") return { kind: "put", row: { ...previous.row, ...change.patch } }
      if (previous.kind === "patch") return { kind: "patch", patch: { ...previous.patch, ...change.patch } }
      return previous
  }
}

/** A new, empty folder. */
export const makeFolder = (): ChangeFolder => {
  let pending = new Map<string, { table: string; key: string; state: Folded }>()
  let segments: Array<Segment> = []
  let count = 0

  const close = (deleteWhere: Segment["deleteWhere"]) => {
    const puts: Array<Written> = []
    const patches: Array<Written> = []
    const deletes: Array<{ t: string; k: string }> = []
    for (const { table, key, state } of pending.values()) {
      if (state.kind === "put") puts.push({ t: table, k: key, v: state.row })
      else if (state.kind === "patch") patches.push({ t: table, k: key, v: state.patch })
      else deletes.push({ t: table, k: key })
    }
    pending = new Map()
    if (puts.length + patches.length + deletes.length > 0 || deleteWhere !== undefined) {
      segments.push({ puts, patches, deletes, deleteWhere })
    }
  }

  return {
    add: (changes) => {
      for (const change of changes) {
        count += 1
        if (change._tag === "DeleteWhere") {
          close({ table: change.table, field: change.field, value: change.value })
          continue
        }
        const id = `${change.table}\u0000${change.key}`
        const entry = pending.get(id)
        pending.set(id, { table: change.table, key: change.key, state: fold(entry?.state, change) })
      }
    },
    size: () => count,
    take: () => {
      close(undefined)
      const taken = segments
      segments = []
      count = 0
      return taken
    }
  }
}

/** The segments that write `changes`, folded. */
export const foldChanges = (changes: ReadonlyArray<Change>): ReadonlyArray<Segment> => {
  const folder = makeFolder()
  folder.add(changes)
  return folder.take()
}
