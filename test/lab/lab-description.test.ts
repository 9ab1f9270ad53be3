/**
 * The lab's pure parts, in the normal suite (no QEMU): every host description is sound, the scripts
 * say what the descriptions ask for, and the expectation checker fails on a wrong verdict. The
 * fixture is a probe report that came back from the amd-v-npt lab host (`npx tsx test/lab/run-one.ts
 * amd-v-npt --dump DIR`).
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { descriptionProblems, unmetExpectations } from './expect.js'
import { finding, type HostOutcome, type LabHost } from './host.js'
import { amdVNpt, amdVNptProbeExpectations } from './hosts/amd-v-npt.js'
import { LAB_HOSTS } from './hosts/index.js'
import { noKvmNoTun } from './hosts/no-kvm-no-tun.js'
import { renderInit, renderRunScript } from './l1-scripts.js'
import { labQemuArgv } from './run-host.js'

const probeJson: unknown = JSON.parse(readFileSync(new URL('./fixtures/amd-v-npt.probe.json', import.meta.url), 'utf8'))
const outcome = (json: unknown, exitCode = 0): HostOutcome => ({
  host: 'amd-v-npt',
  wallMs: 1,
  ended: 'powered off',
  console: '',
  runs: [{ name: 'probe', exitCode, durationMs: 1, stdout: '', stderr: '', json }],
})
const probeOnly: LabHost = { ...amdVNpt, runs: [{ name: 'probe', args: ['probe', '--json'] }], expect: amdVNptProbeExpectations }

describe('lab host descriptions', () => {
  it.each(LAB_HOSTS.map((h) => [h.name, h] as const))('%s is sound', (_, h) => {
    expect(descriptionProblems(h)).toEqual([])
  })

  it('host names are unique (they name QEMU processes and temp folders)', () => {
    expect(new Set(LAB_HOSTS.map((h) => h.name)).size).toBe(LAB_HOSTS.length)
  })
})

describe('lab scripts', () => {
  const kernel = { release: '6.1.0-57-amd64', modulesDir: '/root/.cache/virtcheck/kernels/6.1.0-57-amd64/lib/modules/6.1.0-57-amd64' }
  it('init mounts the 9p root under an overlay, the cgroup mode asked for, and switches root', () => {
    const v2 = renderInit(amdVNpt, kernel)
    expect(v2).toMatch(/mount -t 9p .*hostroot \/h9/)
    expect(v2).toMatch(/mount -t overlay -o lowerdir=\/h9,upperdir=\/t\/u,workdir=\/t\/w overlay \/host/)
    expect(v2).toMatch(/mount -t cgroup2 .*\/host\/sys\/fs\/cgroup\n/)
    expect(v2).not.toMatch(/mount -t cgroup -o/)
    expect(v2).toMatch(/exec switch_root \/host /)
    expect(v2).toMatch(/mount -t ext4 \/dev\/vda \/host\/tmp\/lab-work/)
    // a checkout below /tmp (CI's clone) is bound back over the lab host's fresh /tmp; one elsewhere is left alone
    const kept = renderInit(amdVNpt, kernel, ['/tmp/ci-x/repo', '/work/repo'])
    expect(kept).toMatch(
      /mount -o bind '\/host\/tmp\/ci-x\/repo' \/t\/keep0\n[\s\S]*mount -t tmpfs -o mode=1777 tmpfs \/host\/tmp\nmkdir -p '\/host\/tmp\/ci-x\/repo' && mount -o bind \/t\/keep0 /,
    )
    expect(kept).not.toMatch(/work\/repo/)
    const hybrid = renderInit(noKvmNoTun, kernel)
    expect(hybrid).toMatch(/mount -t cgroup -o \$c cgroup/)
    expect(hybrid).toMatch(/mount -t cgroup2 cgroup2 \/host\/sys\/fs\/cgroup\/unified/)
    expect(hybrid).not.toMatch(/\/dev\/vda/)
  })

  it('the run script sets HOME and the slowness, quotes arguments and runs nobody through setpriv', () => {
    const host: LabHost = {
      ...noKvmNoTun,
      runs: [
        { name: 'p', args: ['probe', "it's"] },
        { name: 'u', args: ['probe', '--json', '{json}'], user: 'nobody' },
      ],
    }
    const s = renderRunScript(host, { checkout: '/work/x', node: '/usr/bin/node', slowness: 10, kernelPath: '/k/vmlinux', runLimitS: 200 })
    expect(s).toMatch(/export HOME=\/root /)
    expect(s).toMatch(/export VIRTCHECK_SLOWNESS=10/)
    expect(s).toMatch(/RUN_LIMIT=200\n/)
    expect(s).toMatch(/setsid "\$@" > \/lab-out\/\$name.out/)
    expect(s).toContain(`step p '/usr/bin/node' '/work/x/bin/virtcheck.js' 'probe' 'it'\\''s'`)
    expect(s).toContain(
      `step u setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp/lab-home-nobody '/usr/bin/node' '/work/x/bin/virtcheck.js' 'probe' '--json' '/lab-out/u.json'`,
    )
  })

  it('QEMU gets the described CPU, devices and both 9p shares, under a parent-death guard', () => {
    const argv = labQemuArgv(
      LAB_HOSTS.find((h) => h.name === 'iommu-sriov')!,
      '/k/vmlinux',
      '/t/initrd',
      '/t/out',
    )
    expect(argv.slice(0, 4)).toEqual(['setpriv', '--pdeathsig', 'KILL', '--'])
    expect(argv).toContain('intel-iommu,intremap=on')
    expect(argv[argv.indexOf('-machine') + 1]).toBe('q35,kernel-irqchip=split')
    expect(argv[argv.indexOf('-append') + 1]).toMatch(/intel_iommu=on/)
    expect(argv.filter((a) => a.startsWith('local,path='))).toEqual([
      'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
      'local,path=/t/out,mount_tag=labout,security_model=none,multidevs=remap',
    ])
  })
})

describe('expectations against a probe report from the amd-v-npt lab host', () => {
  it('every expected verdict holds', () => {
    expect(unmetExpectations(probeOnly, outcome(probeJson))).toEqual([])
  })

  it('a deliberately wrong expectation fails, naming what was expected and seen', () => {
    const wrong: LabHost = {
      ...probeOnly,
      expect: [
        ...probeOnly.expect,
        finding('probe', 'cpu.slat', { status: 'fail', facts: { slat: 'none' }, because: 'deliberately wrong' }),
      ],
    }
    const unmet = unmetExpectations(wrong, outcome(probeJson))
    expect(unmet).toHaveLength(1)
    expect(unmet[0]).toMatch(/amd-v-npt\/probe: finding cpu.slat: status fail expected, got pass; fact slat = "none" expected, got "npt"/)
  })

  it('a run that did not come back, or exited otherwise, fails every expectation on it', () => {
    expect(unmetExpectations(probeOnly, { ...outcome(probeJson), runs: [] })).toHaveLength(probeOnly.expect.length)
    expect(unmetExpectations(probeOnly, outcome(probeJson, 1))).toEqual([expect.stringMatching(/exit code 0 expected, got 1/)])
    expect(unmetExpectations(probeOnly, outcome(undefined)).length).toBe(probeOnly.expect.length - 1)
  })
})
