/** `/proc/PID/limits` -> the hard open-files limit as written there (a number or `unlimited`); undefined when the line is absent. */
export const hardNofileLimit = (limits: string): string | undefined => /^Max open files\s+\S+\s+(\S+)/m.exec(limits)?.[1]
