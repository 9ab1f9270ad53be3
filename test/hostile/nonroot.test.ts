/**
 * Non-root KVM access: for /dev/kvm 0600 root:root the fix is a kvm group with mode 0660 by udev (or
 * root), never joining root's group; a /dev/kvm hidden while the module is loaded gets the device-pass
 * fix, not "load the module". Checked on snapshots (exact) and live as `nobody` (setpriv).
 */
import { execa } from 'execa'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { run } from '../../src/cli/main.js'

const dir = mkdtempSync(join(tmpdir(), 'virtcheck-nonroot-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const snap = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'snapshots', 'this-host-kvm-pvm.json'), 'utf8')) as Record<
  string,
  Record<string, unknown>
>

const kvmFinding = async (edit: (s: typeof snap) => void) => {
  const s = structuredClone(snap)
  s['identity'] = { ...s['identity'], uid: 1000, gid: 1000, groups: [1000] }
  edit(s)
  const f = join(dir, `s-${Math.random().toString(36).slice(2)}.json`)
  writeFileSync(f, JSON.stringify(s))
  let out = ''
  const sink = { write: (t: string) => ((out += t), true), isTTY: false } as unknown as NodeJS.WriteStream
  await run(['probe', '--from', f, '--json', '-'], {
    stdout: sink,
    stderr: { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream,
    env: { NO_COLOR: '1' },
    cwd: dir,
  })
  const report = JSON.parse(out) as { findings: { id: string; summary: string; remediation?: { summary: string; commands?: string[] } }[] }
  return report.findings.find((x) => x.id === 'kvm.device')!
}

describe('non-root KVM fixes are safe and work', () => {
  it('/dev/kvm 0600 root:root: a kvm group with mode 0660 by udev, never `usermod -aG root`', async () => {
    const f = await kvmFinding((s) => {
      s['stats']!['/dev/kvm'] = {
        kind: 'ok',
        type: 'char',
        mode: 0o600,
        uid: 0,
        gid: 0,
        size: 0,
        nlink: 1,
        rdev: { major: 10, minor: 232 },
      }
      s['opens']!['/dev/kvm:rw'] = { kind: 'denied', detail: 'EACCES' }
    })
    const cmds = (f.remediation?.commands ?? []).join('\n')
    expect(cmds).not.toMatch(/usermod -aG root/)
    expect(cmds).toMatch(/GROUP="kvm", MODE="0660"/)
    expect(cmds).toMatch(/usermod -aG kvm/)
    expect(f.remediation?.summary).toMatch(/or run virtcheck as root/)
  })
  it('/dev/kvm 0660 root:kvm: join kvm', async () => {
    const f = await kvmFinding((s) => {
      s['stats']!['/dev/kvm'] = {
        kind: 'ok',
        type: 'char',
        mode: 0o660,
        uid: 0,
        gid: 107,
        size: 0,
        nlink: 1,
        rdev: { major: 10, minor: 232 },
      }
      s['opens']!['/dev/kvm:rw'] = { kind: 'denied', detail: 'EACCES' }
    })
    expect(f.remediation?.commands).toEqual(['sudo usermod -aG kvm $USER'])
  })
  it('a hidden /dev/kvm with the module loaded: pass the device in, not "load the module"', async () => {
    const f = await kvmFinding((s) => {
      s['stats']!['/dev/kvm'] = { kind: 'missing' }
      s['stats']!['/sys/module/kvm'] = { kind: 'ok', type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, nlink: 2 }
    })
    expect(f.summary).toMatch(/kvm module is loaded/)
    expect(f.remediation?.summary).toMatch(/--device \/dev\/kvm/)
    expect((f.remediation?.commands ?? []).join(' ')).not.toMatch(/modprobe/)
  })

  const canSetpriv = process.getuid?.() === 0
  it.skipIf(!canSetpriv && process.env['CI'] !== 'true')(
    'live, as nobody: the fix matches the device and never joins root',
    async () => {
      // The checkout may be a folder only root can enter (CI clones into a 0700 temp folder), so nobody
      // sees its entries bind-mounted into a 0755 folder, in a private mount namespace that ends with the run.
      const view = mkdtempSync(join(tmpdir(), 'virtcheck-nonroot-view-'))
      chmodSync(view, 0o755)
      mkdirSync(join(view, 'c'))
      const checkout = join(import.meta.dirname, '..', '..')
      const script = [
        'ls -A "$1" | while read -r e; do',
        '  if [ -d "$1/$e" ]; then mkdir "$2/$e"; else : > "$2/$e"; fi',
        '  mount --bind "$1/$e" "$2/$e" || exit 1',
        'done',
        'cd "$2" && exec setpriv --reuid=nobody --regid=nogroup --clear-groups "$3" --import tsx src/cli/entry.ts probe --json -',
      ].join('\n')
      const r = await execa(
        'unshare',
        ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', checkout, join(view, 'c'), process.execPath],
        {
          reject: false,
          env: { NO_COLOR: '1', HOME: dir, VIRTCHECK_HOME: join(dir, 'home'), PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
          timeout: 120_000,
        },
      ).finally(() => rmSync(view, { recursive: true, force: true }))
      expect(r.exitCode, r.stderr).not.toBe(2)
      const report = JSON.parse(r.stdout) as { findings: { id: string; status: string; remediation?: { commands?: string[] } }[] }
      const f = report.findings.find((x) => x.id === 'kvm.device')!
      expect((f.remediation?.commands ?? []).join('\n')).not.toMatch(/usermod -aG root\b/)
    },
    120_000,
  )
})

describe('rootless podman and lxc readiness checks what they need', () => {
  const finding = (id: string, status: 'pass' | 'warn' | 'fail', facts: Record<string, unknown>, fix?: string) => ({
    id,
    area: id.split('.')[0] as 'namespaces',
    title: id,
    status,
    summary: id,
    evidence: [],
    facts,
    ...(fix ? { remediation: { summary: fix } } : {}),
  })
  const base = (subid: 'pass' | 'warn', deleg: 'pass' | 'warn') => [
    finding('software.vcwork', 'pass', { x86_64: true }),
    finding('namespaces.types', 'pass', {}),
    finding('namespaces.userns-unprivileged', 'pass', {}),
    finding('environment.privileges', 'pass', { uid: 1000 }),
    finding('cgroups.controllers', 'pass', {}),
    finding(
      'cgroups.delegation',
      deleg,
      {},
      deleg === 'pass' ? undefined : 'Delegate a cgroup to the user (systemd-run --user --scope -p Delegate=yes).',
    ),
    finding('namespaces.subid', subid, { rootless: subid === 'pass' }, subid === 'pass' ? undefined : 'Install the uidmap package.'),
    finding('software.podman', 'pass', { installed: true }),
    finding('software.lxc', 'pass', { installed: true }),
    finding('software.busybox', 'pass', { static: true }),
  ]
  it('no newuidmap or subordinate ids: podman and lxc not ready, and they say why', async () => {
    const { decideReadiness } = await import('../../src/probe-run/readiness.js')
    const r = decideReadiness(base('warn', 'pass') as never)
    for (const tier of ['podman', 'lxc']) {
      const t = r.find((x) => x.tier === tier)!
      if (t.ready) throw new Error(`${tier} is ready without newuidmap or subordinate ids`)
      expect(t.summary).toMatch(/newuidmap\/newgidmap or subordinate ids/)
      expect(t.remediation.summary).toMatch(/uidmap/)
    }
  })
  it('no delegated cgroup: rootless lxc not ready; podman still is', async () => {
    const { decideReadiness } = await import('../../src/probe-run/readiness.js')
    const r = decideReadiness(base('pass', 'warn') as never)
    expect(r.find((x) => x.tier === 'lxc')).toMatchObject({ ready: false, blockedBy: ['cgroups.delegation'] })
    expect(r.find((x) => x.tier === 'podman')?.ready).toBe(true)
  })
})
