/**
 * How a guest that dies before it is ready is reported, with stand-in QEMU processes that fail the
 * two ways real ones do: the agent stream ends a moment before the process is reaped (the race that
 * used to report only "agent output stream ended"), and a hang past the start deadline.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CleanupRegistry } from '../../../src/host/cleanup.js'
import { startGuest, GuestBootError } from '../../../src/tiers/qemu/guest-process.js'
import { explainKvmFailure } from '../../../src/tiers/qemu/kvm-failure.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vc-guest-fail-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

// Accepts the agent connection, closes it at once, prints QEMU's abort lines, and aborts 300 ms later.
const abortAfterClose = (sock: string) => [
  'python3',
  '-c',
  [
    'import os, signal, socket, sys, time',
    's = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)',
    'c, _ = s.accept(); c.close()',
    'sys.stderr.write("qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69\\nqemu-system-x86_64: kvm_buf_set_msrs: Assertion failed.\\n"); sys.stderr.flush()',
    'time.sleep(0.3)',
    'os.kill(os.getpid(), signal.SIGABRT)',
  ].join('\n'),
  sock,
]

const start = async (argv: string[], startTimeoutMs: number) => {
  const cleanup = new CleanupRegistry()
  try {
    await startGuest({
      label: 'kvm-virtio',
      argv,
      agentSocket: join(dir, 'agent.sock'),
      cleanup,
      signal: new AbortController().signal,
      startTimeoutMs,
      explainFailure: (end) => explainKvmFailure('kvm_pvm', end),
    })
  } catch (e) {
    return e
  } finally {
    await cleanup.runAll()
  }
  throw new Error('the stand-in guest became ready')
}

describe('a guest that dies before it is ready', () => {
  it('reports QEMU abort, its stderr and the PVM reason even when the agent stream ends first', async () => {
    const err = await start(abortAfterClose(join(dir, 'agent.sock')), 10_000)
    expect(err).toBeInstanceOf(GuestBootError)
    const message = (err as Error).message
    expect(message).toMatch(/^kvm-virtio: QEMU aborted \(SIGABRT\) before the agent was ready: .*failed to set MSR 0x10a/)
    expect(message).toMatch(/kvm_pvm, which runs only guests built for PVM .*so QEMU aborts$/)
    expect(message).not.toMatch(/stream ended/)
    expect((err as GuestBootError).logTail).toMatch(/--- qemu stderr ---\nqemu-system-x86_64: error: failed to set MSR/)
  })

  it('reports a plain exit code the same way', async () => {
    const err = await start(['sh', '-c', 'echo "qemu-system-x86_64: -accel kvm: unsupported" >&2; exit 1'], 10_000)
    expect((err as Error).message).toMatch(
      /^kvm-virtio: QEMU exited with code 1 before the guest started: .*-accel kvm: unsupported; .*PVM/,
    )
  })

  it('reports a hang as the deadline with the hang explained', async () => {
    const t0 = performance.now()
    const err = await start(
      [
        'python3',
        '-c',
        'import socket, sys, time\ns = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)\nc, _ = s.accept(); time.sleep(30)',
        join(dir, 'agent.sock'),
      ],
      1_500,
    )
    expect(performance.now() - t0).toBeLessThan(8_000)
    expect((err as Error).message).toMatch(/did not reach the agent within 1500 ms .*kvm_pvm.*a standard kernel hangs in early boot/)
  })
})
