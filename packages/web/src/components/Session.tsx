/** Who is signed in and in which organization: what every page needs. */
import { createContext, useContext } from "react"

/** The signed-in user and their organization. */
export interface Session {
  readonly user: string
  readonly organization: string
  readonly signOut: () => void
}

/** The session of the pages below the app shell. */
export const SessionContext = createContext<Session>({ user: "", organization: "", signOut: () => {} })

/** The current session. */
export const useSession = (): Session => useContext(SessionContext)
