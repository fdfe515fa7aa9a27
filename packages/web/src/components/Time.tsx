/** Times as people read them, with one formatter for the whole app (making one per row is slow for long lists). */

const formatter = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" })

/** An ISO time in the reader's locale and zone. */
export const formatTime = (iso: string): string => {
  const time = new Date(iso)
  return Number.isNaN(time.getTime()) ? iso : formatter.format(time)
}

/** A `<time>` element. */
export const Time = ({ iso }: { readonly iso: string }) => <time dateTime={iso}>{formatTime(iso)}</time>
