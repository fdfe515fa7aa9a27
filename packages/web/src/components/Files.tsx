/** A version's files: path, size, sha256, and (for linked versions) a download link. */
import type { Models } from "@registrar/api"

type ManifestEntry = (typeof Models.Resolved.Type)["files"][number]

/** A size for people. */
export const formatSize = (bytes: number): string =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KiB`
      : `${(bytes / 1048576).toFixed(1)} MiB`

/** The files table; `downloadHref` gives a file's download URL when downloads are possible. */
export const Files = ({
  files,
  downloadHref
}: {
  readonly files: ReadonlyArray<ManifestEntry>
  readonly downloadHref?: (path: string) => string
}) => (
  <section aria-labelledby="files-heading">
    <h2 id="files-heading">Files</h2>
    <div className="scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Size</th>
            <th scope="col">sha256</th>
            {downloadHref !== undefined && <th scope="col">Download</th>}
          </tr>
        </thead>
        <tbody>
          {files.map((file) => (
            <tr key={file.path}>
              <th scope="row">{file.path}</th>
              <td>{formatSize(file.size)}</td>
              <td>
                <code className="digest">{file.sha256}</code>
              </td>
              {downloadHref !== undefined && (
                <td>
                  <a href={downloadHref(file.path)} download={file.path.split("/").pop()}>
                    Download <span className="visually-hidden">{file.path}</span>
                  </a>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  </section>
)

/** Metadata as a definition list. */
export const Metadata = ({ metadata }: { readonly metadata: Readonly<Record<string, unknown>> }) => {
  const entries = Object.entries(metadata)
  return entries.length === 0 ? (
    <p>No metadata.</p>
  ) : (
    <dl className="facts">
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>{typeof value === "string" ? value : JSON.stringify(value)}</dd>
        </div>
      ))}
    </dl>
  )
}
