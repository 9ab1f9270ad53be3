// setup's plan: by default every tier this host can run without a daemon (podman, lxc, the emulation
// tiers), the compilers only from source, docker only when asked; and the engine hint for docker.
import { describe, expect, it } from 'vitest'
import { dockerStartHint, planSetup, wantedPackages } from '../../src/cli/commands/setup.js'
import { runCli } from '../helpers/run-cli.js'

const none = new Set<string>()

describe('setup plan', () => {
  it('installs podman, lxc, QEMU and qemu-user by default, and from source the compilers and a helper build', () => {
    const p = planSetup({ with: [], without: [], fromSource: true, nodeArch: 'x64' }, none)
    expect(p.install).toEqual(
      expect.arrayContaining([
        'qemu-system-x86',
        'qemu-user-static',
        'busybox-static',
        'runc',
        'podman',
        'lxc',
        'gcc',
        'libc6-dev',
        'gcc-aarch64-linux-gnu',
        'libc6-dev-arm64-cross',
      ]),
    )
    expect(p.install).not.toContain('docker.io')
    expect(p).toMatchObject({ buildHelpers: true, checkDocker: false, guestKernel: true })
  })

  it('needs no compiler for the packaged executable, which carries both architectures', () => {
    const p = planSetup({ with: [], without: [], fromSource: false, nodeArch: 'x64' }, none)
    expect(p.install.filter((x) => /gcc|libc6-dev/.test(x))).toEqual([])
    expect(p.buildHelpers).toBe(false)
  })

  it('adds docker.io and the engine check with --with docker, leaves out what --without names, skips what is installed', () => {
    const p = planSetup({ with: ['docker'], without: ['lxc'], fromSource: false }, new Set(['podman', 'runc']))
    expect(p.install).toContain('docker.io')
    expect(p.install).not.toContain('lxc')
    expect(p.install).not.toContain('podman')
    expect(p.alreadyInstalled).toEqual(expect.arrayContaining(['podman', 'runc']))
    expect(p.checkDocker).toBe(true)
    expect(wantedPackages({ with: [], without: ['podman', 'lxc'], fromSource: false })).not.toContain('podman')
  })

  it('says how to start docker: systemctl under systemd, otherwise dockerd without bridge or NAT', () => {
    expect(dockerStartHint('systemd')).toBe('start it with: systemctl start docker')
    expect(dockerStartHint('process_api')).toBe(
      'PID 1 here is process_api, not systemd, so start the daemon by hand: dockerd --iptables=false --bridge=none >/var/log/dockerd.log 2>&1 &',
    )
  })

  it('rejects an unknown --without value with one line and exit 2', async () => {
    const r = await runCli(['setup', '--without', 'qemu', '--yes'], process.cwd())
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^error: setup: .*--without/m)
  })
})
