/** A collection's action history (the audit log filtered to it), loaded when opened. */
import { useState } from "react"
import { api } from "../../Client.js"
import { asOfParam } from "../../components/AsOf.js"
import { Show, useData } from "../../components/Data.js"
import { Time } from "../../components/Time.js"

const Events = ({
  organization,
  registry,
  collection,
  asOf
}: {
  readonly organization: string
  readonly registry: string
  readonly collection: string
  readonly asOf: string | undefined
}) => {
  const [loaded] = useData(
    () =>
      api((client) =>
        client.history.history({ urlParams: { organization, registry, collection, limit: 1000, ...asOfParam(asOf) } })
      ),
    [organization, registry, collection, asOf]
  )
  return (
    <Show loaded={loaded} what="the history">
      {(page) => (
        <ol reversed className="history">
          {[...page.items].reverse().map((event) => (
            <li key={event.globalPosition}>
              <Time iso={event.recordedAt} /> — <strong>{event.actor}</strong>: {event.summary}{" "}
              <small>(#{event.globalPosition})</small>
            </li>
          ))}
        </ol>
      )}
    </Show>
  )
}

/** The history section. */
export const History = (props: {
  readonly organization: string
  readonly registry: string
  readonly collection: string
  readonly asOf: string | undefined
}) => {
  const [open, setOpen] = useState(false)
  return (
    <section aria-labelledby="history-heading">
      <details onToggle={(event) => setOpen(event.currentTarget.open)}>
        <summary>
          <h2 id="history-heading">Action history</h2>
        </summary>
        {open && <Events {...props} />}
      </details>
    </section>
  )
}
