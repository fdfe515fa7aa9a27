/** Form fields that carry their label and show the domain's refusal beside themselves. */
import { type ReactNode, useId } from "react"
import type { Failure } from "../Client.js"
import { FieldError } from "./Data.js"

/** A labelled field; `failure` is shown beside it and announced. */
export const Field = ({
  label,
  failure,
  hint,
  children
}: {
  readonly label: string
  readonly failure?: Failure | undefined
  readonly hint?: string
  readonly children: (props: {
    readonly id: string
    readonly "aria-invalid": boolean
    readonly "aria-describedby"?: string
  }) => ReactNode
}) => {
  const id = useId()
  const errorId = `${id}-error`
  const hintId = `${id}-hint`
  const describedBy = [failure === undefined ? "" : errorId, hint === undefined ? "" : hintId].join(" ").trim()
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        "aria-invalid": failure !== undefined,
        ...(describedBy === "" ? {} : { "aria-describedby": describedBy })
      })}
      {hint !== undefined && (
        <small id={hintId} className="hint">
          {hint}
        </small>
      )}
      <FieldError failure={failure} id={errorId} />
    </div>
  )
}

/** A comma-separated list as its trimmed, non-empty items. */
export const listOf = (text: string): Array<string> =>
  text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "")

/** Which field a refusal concerns, by its tag; the rest go to `fallback`. */
export const fieldOf = <F extends string>(failure: Failure, table: Partial<Record<string, F>>, fallback: F): F =>
  table[failure.tag] ?? fallback
