/**
 * `--root DIR`: a fake host root built from a fixture snapshot (its files, listings, links), probed
 * through RootedHost. File-based verdicts match the snapshot's; what needs the host's own processes is
 * unknown with "needs privilege", never a guess.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { run } from '../../src/cli/main.js'
import { markNotRunnable, openRootedHost, RootedHost } from '../../src/host/rooted-host.js'
import { validateSnapshot, type HostSnapshot } from '../../src/host/snapshot.js'
import { runProbes } from '../../src/probe-run/run-probes.js'
import { PROBES } from '../../probes/index.js'
import { FIXTURE_DIR, probeFixture } from '../probes/helpers.js'

const tmp = mkdtempSync(join(tmpdir(), 'virtcheck-root-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const FIXTURE = 'intel-baremetal-vtx-ept-vtd-sriov'
const snap: HostSnapshot = validateSnapshot(JSON.parse(readFileSync(join(FIXTURE_DIR, `${FIXTURE}.json`), 'utf8')), FIXTURE)

/** Lay the snapshot out as files under root, the way a host's folders look when mounted into a pod. */
const buildFakeRoot = (root: string): void => {
  const place = (p: string) => join(root, p.replace(/^\/proc\/self(?=\/|$)/, '/proc/1'))
  const known = new Set([...Object.keys(snap.reads), ...Object.keys(snap.stats), ...Object.keys(snap.lists)])
  const isParent = (p: string) => [...known].some((k) => k.startsWith(p + '/'))
  for (const [p, l] of Object.entries(snap.lists)) {
    if (l.kind !== 'ok') continue
    mkdirSync(place(p), { recursive: true })
    for (const e of l.entries) {
      const child = `${p}/${e}`
      if (known.has(child) && !isParent(child)) continue
      mkdirSync(place(child), { recursive: true })
    }
  }
  for (const [p, s] of Object.entries(snap.stats)) {
    if (s.kind !== 'ok') continue
    if (s.type === 'dir') mkdirSync(place(p), { recursive: true })
    else if (s.type === 'link' && s.target) {
      mkdirSync(dirname(place(p)), { recursive: true })
      symlinkSync(s.target, place(p))
    } else if (s.type === 'file' && snap.reads[p] === undefined) {
      mkdirSync(dirname(place(p)), { recursive: true })
      writeFileSync(place(p), '')
    }
  }
  for (const [p, r] of Object.entries(snap.reads)) {
    if (r.kind !== 'ok' || /^\/proc\/self\/(status|limits)$/.test(p)) continue
    mkdirSync(dirname(place(p)), { recursive: true })
    writeFileSync(place(p), r.text)
  }
  for (const [k, b] of Object.entries(snap.bytes)) {
    const m = /^(.*)@0\+\d+$/.exec(k)
    if (!m || b.kind !== 'ok') continue
    mkdirSync(dirname(place(m[1]!)), { recursive: true })
    writeFileSync(place(m[1]!), Buffer.from(b.base64, 'base64'))
  }
  mkdirSync(join(root, 'etc'), { recursive: true })
  writeFileSync(join(root, 'etc', 'hostname'), 'node-from-root\n')
}

const root = join(tmp, 'host')
buildFakeRoot(root)

describe('RootedHost', () => {
  it("prefixes paths, keeps this process's own /proc/self files, and maps the rest of /proc/self to the host's PID 1", () => {
    const h = new RootedHost('/host', snap.identity)
    expect(h.map('/sys/module/kvm')).toBe('/host/sys/module/kvm')
    expect(h.map('/proc/self/mountinfo')).toBe('/host/proc/1/mountinfo')
    expect(h.map('/proc/self/cgroup')).toBe('/host/proc/1/cgroup')
    expect(h.map('/proc/self/status')).toBe('/proc/self/status')
    expect(h.map('/../../etc/shadow')).toBe('/etc/shadow'.replace(/^/, '/host'))
  })

  it("a device the container's device cgroup denies (EPERM) is a privilege problem, so KVM verdicts are unknown", async () => {
    const live = await openRootedHost(root, tmp)
    const denyKvm = new Proxy(live, {
      get(target, prop) {
        if (prop === 'open')
          return async (p: string) => (p.endsWith('/dev/kvm') ? { kind: 'denied', detail: 'EPERM' } : { kind: 'missing' })
        if (prop === 'stat')
          return async (p: string) =>
            p.endsWith('/dev/kvm')
              ? { kind: 'ok', type: 'char', mode: 0o660, uid: 0, gid: 0, size: 0, nlink: 1, rdev: { major: 10, minor: 232 } }
              : target.stat(p.replace(root, ''))
        const v = Reflect.get(target, prop)
        return typeof v === 'function' ? v.bind(target) : v
      },
    })
    const h = new RootedHost(root, live.identity, denyKvm as never)
    const o = await h.open('/dev/kvm', 'rw')
    expect(o.kind === 'error' && o.detail).toMatch(/not run under --root .*device cgroup denies it/)
    const k = await h.run(['@vcprobe', 'kvm'])
    expect(k.kind === 'error' && k.detail).toMatch(/device cgroup/)
    const findings = markNotRunnable(await runProbes(h, PROBES, { kernelCacheDirs: [] }))
    for (const id of ['kvm.device', 'kvm.api']) expect(findings.find((f) => f.id === id)?.status, id).toBe('unknown')
  }, 60_000)

  it("runs only what is valid from a container; the host's programs are not run", async () => {
    const h = await openRootedHost(root, tmp)
    expect(h.identity.hostname).toBe('node-from-root')
    expect(h.identity.kernelRelease).toBe(
      snap.reads['/proc/sys/kernel/osrelease']?.kind === 'ok'
        ? (snap.reads['/proc/sys/kernel/osrelease'] as { text: string }).text.trim()
        : h.identity.kernelRelease,
    )
    const o = await h.run(['/usr/bin/qemu-system-x86_64', '--version'])
    expect(o.kind).toBe('error')
    expect(o.kind === 'error' && o.detail).toMatch(/not run under --root .*would run in this container/)
    const kvm = await h.run(['@vcprobe', 'kvm'])
    // vcprobe was given the root's /dev/kvm, which the fake root does not have
    expect(kvm.kind).toBe('exited')
    expect(JSON.parse(kvm.kind === 'exited' ? kvm.stdout : '{}')).toEqual({ path: join(root, 'dev', 'kvm'), open: 'ENOENT' })
  })

  it("file-based verdicts match the snapshot's; command-based ones are unknown (needs privilege)", async () => {
    const h = await openRootedHost(root, tmp)
    const rooted = markNotRunnable(await runProbes(h, PROBES, { kernelCacheDirs: [] }))
    const fromSnap = (await probeFixture(FIXTURE)).findings
    const pick = (fs: typeof rooted, id: string) => {
      const f = fs.find((x) => x.id === id)
      return f && { status: f.status, summary: f.summary }
    }
    for (const id of [
      'kvm.module',
      'kvm.nested',
      'sriov.devices',
      'memory.hugepages',
      'memory.thp',
      'memory.ksm',
      'iommu.firmware',
      'cgroups.controllers',
    ])
      expect(pick(rooted, id), id).toEqual(pick(fromSnap, id))
    const qemu = rooted.find((f) => f.id === 'software.qemu-system-x86_64')!
    expect(qemu.status).toBe('unknown')
    expect(qemu.summary).toMatch(/^unknown \(needs privilege: .*qemu-system-x86_64/)
    // nothing anywhere claims a verdict from a command it could not run
    for (const f of rooted)
      if (f.evidence.some((e) => e.observed.includes('not run under --root'))) expect(['unknown', 'skip'], f.id).toContain(f.status)
  }, 60_000)

  it('virtcheck probe --root DIR --json - reports the rooted host; bad roots exit 2', async () => {
    let out = ''
    let err = ''
    const io = (w: (t: string) => void) => ({ write: (t: string) => (w(t), true), isTTY: false }) as unknown as NodeJS.WriteStream
    const code = await run(['probe', '--root', root, '--json', '-'], {
      stdout: io((t) => (out += t)),
      stderr: io((t) => (err += t)),
      env: { NO_COLOR: '1' },
      cwd: tmp,
    })
    expect([0, 1]).toContain(code)
    const rep = JSON.parse(out)
    expect(rep.host.hostname).toBe('node-from-root')
    expect(rep.reproduce.settings.origin).toBe(`root:${root}`)
    for (const args of [
      ['--root', join(tmp, 'nope')],
      ['--root', tmp + '/host/etc'],
      ['--root', root, '--from', 'x.json'],
      ['--root', root, '--deep'],
    ]) {
      let e = ''
      const c = await run(['probe', ...args], {
        stdout: io(() => undefined),
        stderr: io((t) => (e += t)),
        env: { NO_COLOR: '1' },
        cwd: tmp,
      })
      expect(c, args.join(' ')).toBe(2)
      expect(e.split('\n')[0]).toMatch(/^error: /)
    }
  }, 60_000)
})
