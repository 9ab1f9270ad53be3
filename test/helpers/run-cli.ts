// Runs the real CLI in-process (src/cli/main.ts run()) with captured output; no colour, no TTY.
import { run } from '../../src/cli/main.js'

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const sink = () => {
  let text = ''
  const stream = { write: (s: string) => ((text += s), true), isTTY: false, columns: 140 } as unknown as NodeJS.WriteStream
  return { stream, text: () => text }
}

export const runCli = async (argv: readonly string[], cwd: string): Promise<CliResult> => {
  const out = sink()
  const err = sink()
  const code = await run(argv, { stdout: out.stream, stderr: err.stream, env: { NO_COLOR: '1' }, cwd })
  return { code, stdout: out.text(), stderr: err.text() }
}
