/**
 * Canonical JSON: object keys sorted, no whitespace. Two values that are equal as JSON print identically, whatever
 * their key order, so digests survive a round trip through PostgreSQL's `jsonb`. Written as loops over one string
 * (no intermediate arrays): every appended event is printed this way for its content digest.
 */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null"
  if (Array.isArray(value)) {
    let text = "["
    for (let index = 0; index < value.length; index++) {
      if (index > 0) text += ","
      const item: unknown = value[index]
      text += item === undefined ? "null" : canonicalJson(item)
    }
    return `${text}]`
  }
  const record = value as Record<string, unknown>
  const keys = Object.keys(record).sort()
  let text = "{"
  for (const key of keys) {
    const item = record[key]
    if (item === undefined) continue
    if (text.length > 1) text += ","
    text += `${JSON.stringify(key)}:${canonicalJson(item)}`
  }
  return `${text}}`
}
