/**
 * Pure checks of a bench RunReport that came back from a lab host: every job produced numbers in
 * every named tier, the KVM configuration was recorded, the two KVM guests took turns, the run says its timings are emulation
 * speed, and a leftovers listing taken after the run is empty. Used by the AMD-V + NPT host and the
 * smoke host.
 */
import type { Expectation, RunOutput } from './host.js'

interface Report {
  readonly tiers?: readonly {
    tier: string
    state: string
    reason?: string
    config?: Record<string, unknown>
    interleavedWith?: readonly string[]
  }[]
  readonly results?: readonly { tier: string; job: string; metric: string; state: string; error?: string; samples?: readonly number[] }[]
  readonly warnings?: readonly { code: string; message: string }[]
}

const report = (out: RunOutput): Report | undefined => (out.json && typeof out.json === 'object' ? (out.json as Report) : undefined)

/** Every job in `jobs` has at least one metric, all `ok` with samples, in each of `tiers`. */
export const everyJobMeasured = (run: string, tiers: readonly string[], jobs: readonly string[]): Expectation => ({
  kind: 'custom',
  run,
  what: `${jobs.length} job(s) measured in ${tiers.join(', ')}`,
  check: (out) => {
    const r = report(out)
    if (!r?.results)
      return `no bench report (exit ${out.exitCode ?? 'none'}; stderr: ${out.stderr.trim().split('\n').slice(-3).join(' | ')})`
    const problems: string[] = []
    for (const t of tiers) {
      const run = r.tiers?.find((x) => x.tier === t)
      if (run?.state !== 'completed')
        problems.push(`${t}: ${run ? `${run.state}${run.reason ? ` (${run.reason.split('\n')[0]})` : ''}` : 'absent'}`)
      for (const j of jobs) {
        const rows = r.results.filter((x) => x.tier === t && x.job === j)
        if (rows.length === 0) problems.push(`${t} ${j}: no result`)
        for (const x of rows)
          if (x.state !== 'ok' || !(x.samples?.length ?? 0))
            problems.push(`${t} ${j} ${x.metric}: ${x.state}${x.error ? ` (${x.error.split('\n')[0]})` : ''}`)
      }
    }
    return problems.length ? problems.slice(0, 12).join('; ') : undefined
  },
})

/** The tier recorded how its guest ran: KVM accelerator on kvm_amd, CPU model, vhost, devices. */
export const kvmConfigRecorded = (run: string, tier: string, want: { readonly disk: RegExp; readonly nic?: RegExp }): Expectation => ({
  kind: 'custom',
  run,
  what: `${tier} records its KVM configuration`,
  check: (out) => {
    const c = report(out)?.tiers?.find((x) => x.tier === tier)?.config
    if (!c) return `${tier}: no recorded config`
    const problems: string[] = []
    if (c['accel'] !== 'kvm') problems.push(`accel ${JSON.stringify(c['accel'])}, expected kvm`)
    if (c['kvmBackend'] !== 'kvm_amd') problems.push(`kvmBackend ${JSON.stringify(c['kvmBackend'])}, expected kvm_amd`)
    if (c['cpuModel'] !== 'host') problems.push(`cpuModel ${JSON.stringify(c['cpuModel'])}, expected host`)
    if (typeof c['vhost'] !== 'boolean') problems.push(`vhost not recorded`)
    if (!want.disk.test(String(c['disk']))) problems.push(`disk ${JSON.stringify(c['disk'])} does not match ${want.disk}`)
    if (want.nic && !want.nic.test(String(c['nic']))) problems.push(`nic ${JSON.stringify(c['nic'])} does not match ${want.nic}`)
    if (!/-accel kvm/.test(String(c['qemuCommand']))) problems.push('qemuCommand lacks -accel kvm')
    return problems.length ? `${tier}: ${problems.join('; ')}` : undefined
  },
})

/** The run warns that its timings are TCG speed (VIRTCHECK_SLOWNESS set by the lab). */
export const saysEmulationSpeed = (run: string): Expectation => ({
  kind: 'custom',
  run,
  what: 'the report says its timings are emulation speed',
  check: (out) => {
    const w = report(out)?.warnings?.find((x) => x.code === 'slow-host')
    return w && /not a performance figure/.test(w.message)
      ? undefined
      : `no slow-host warning (warnings: ${(report(out)?.warnings ?? []).map((x) => x.code).join(', ') || 'none'})`
  },
})

/**
 * A shell run that lists what a bench could leave behind; `nothingLeft` expects it empty. Lines are
 * prefixed by kind, so a failure names what remained.
 */
export const LEFTOVERS_SHELL = [
  "pgrep -a qemu-system | sed 's/^/qemu: /'",
  "ip netns list | sed 's/^/netns: /'",
  "ls /sys/class/net | grep -v '^lo$' | sed 's/^/link: /'",
  "find /sys/fs/cgroup -mindepth 1 -type d -name '*virtcheck*' | sed 's/^/cgroup: /'",
  "grep virtcheck /proc/mounts | sed 's/^/mount: /'",
  // LAB_KEPT_TMP: the top folder of a checkout below /tmp that the lab host binds back (l1-scripts.ts), not debris
  "ls -A /tmp | grep -v '^lab-' | grep -v -x -F \"${LAB_KEPT_TMP:-lab-}\" | sed 's/^/tmp: /'",
  'true',
].join('; ')

export const nothingLeft = (run: string): Expectation => ({
  kind: 'custom',
  run,
  what: 'nothing left behind in the lab host (QEMU, netns, links, cgroups, mounts, temp files)',
  check: (out) =>
    out.exitCode === 0 && out.stdout.trim() === ''
      ? undefined
      : `left behind: ${out.stdout.trim().split('\n').join('; ') || `(exit ${out.exitCode})`}`,
})

/** The named tiers ran as one interleaved group (both guests open at once, taking turns). */
export const ranInterleaved = (run: string, tiers: readonly string[]): Expectation => ({
  kind: 'custom',
  run,
  what: `${tiers.join(' and ')} ran interleaved`,
  check: (out) => {
    const r = report(out)
    const apart = r?.warnings?.find((w) => w.code === 'guests-not-interleaved')
    if (apart) return apart.message
    const wrong = tiers.filter((t) => r?.tiers?.find((x) => x.tier === t)?.interleavedWith?.join(',') !== tiers.join(','))
    return wrong.length ? `${wrong.join(', ')}: interleavedWith is not ${tiers.join(',')}` : undefined
  },
})
