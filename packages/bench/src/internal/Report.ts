/** The shape of a scenario's report, and the number formats BENCHMARKS.md uses. */

/** A markdown table. */
export interface Table {
  readonly header: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string>>
}

/** A target of the issue, as measured: met, missed, or not measured (pending). */
export interface Target {
  readonly goal: string
  readonly measured: string
  readonly met: boolean | undefined
}

/** What one scenario contributes to BENCHMARKS.md. */
export interface Section {
  readonly title: string
  readonly method: ReadonlyArray<string>
  readonly tables: ReadonlyArray<Table>
  readonly targets: ReadonlyArray<Target>
  readonly notes: ReadonlyArray<string>
}

/** Renders a table as markdown. */
export const markdownTable = (table: Table): string =>
  [
    `| ${table.header.join(" | ")} |`,
    `|${table.header.map(() => "---").join("|")}|`,
    ...table.rows.map((row) => `| ${row.join(" | ")} |`)
  ].join("\n")

/** A count or rate with thousands separators and no decimals. */
export const whole = (value: number): string =>
  Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "n/a"

/** Milliseconds with two significant decimals below 10. */
export const millis = (value: number): string =>
  Number.isFinite(value) ? (value < 10 ? value.toFixed(2) : value.toFixed(1)) : "n/a"

/** A ratio such as `2.31×`. */
export const times = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "n/a")

/** A fraction as a percentage. */
export const percent = (value: number): string => (Number.isFinite(value) ? `${(value * 100).toFixed(0)}%` : "n/a")

/** ✅ / ❌ / pending. */
export const verdict = (met: boolean | undefined): string => (met === undefined ? "pending" : met ? "met" : "missed")
