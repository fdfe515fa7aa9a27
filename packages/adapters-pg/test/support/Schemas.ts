/** Fresh schema names, so that tests never share tables. */
let counter = 0

/** A schema name no other test uses. */
export const freshSchemaName = (): string => {
  counter += 1
  return `t_${process.pid}_${Date.now().toString(36)}_${counter}_${Math.floor(Math.random() * 1e6).toString(36)}`
}
