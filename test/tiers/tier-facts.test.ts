import { describe, expect, it } from 'vitest'
import { fail, pass, unknown, warn, type Finding } from '../../src/core/finding.js'
import { tierFacts } from '../../src/tiers/tier-facts.js'

const fix = { summary: 'fix it' }

describe('tierFacts: host facts a driver reads from the probe', () => {
  it('reads each fact from its finding', () => {
    const findings: Finding[] = [
      pass({ id: 'kvm.device', area: 'kvm', title: '', facts: { present: true, writable: true } }, 'ok'),
      warn(
        { id: 'devices.vhost-net', area: 'devices', title: '', facts: { present: true, usable: false } },
        'present but not openable by uid 1000',
        [],
        fix,
      ),
      pass({ id: 'environment.privileges', area: 'environment', title: '', facts: { uid: 1000, capSysAdmin: false } }, 'uid 1000'),
      warn(
        { id: 'software.vcwork', area: 'software', title: '', facts: { x86_64: true, aarch64: false } },
        'not built for aarch64',
        [],
        fix,
      ),
      pass(
        { id: 'os-features.swap-accounting', area: 'os-features', title: '', facts: { swapAccounting: true, swapInUse: false } },
        'available',
      ),
    ]
    const f = tierFacts(findings)
    expect(f.kvmDevice()).toEqual({ kind: 'usable' })
    expect(f.vhostNet()).toEqual({ kind: 'unusable', why: 'present but not openable by uid 1000' })
    expect(f.uid()).toBe(1000)
    expect(f.vcworkBuilt('x86_64')).toEqual({ built: true })
    expect(f.vcworkBuilt('aarch64')).toEqual({ built: false, why: 'not built for aarch64' })
    expect(f.swapAccounting()).toBe(true)
  })

  it('a missing /dev/kvm is unusable, in the probe words', () => {
    const f = tierFacts([fail({ id: 'kvm.device', area: 'kvm', title: '', facts: { present: false } }, 'no /dev/kvm', [], fix)])
    expect(f.kvmDevice()).toEqual({ kind: 'unusable', why: 'no /dev/kvm' })
  })

  it('is undefined without the finding or when the probe could not tell (the driver then checks live)', () => {
    const none = tierFacts([])
    expect([none.kvmDevice(), none.vhostNet(), none.uid(), none.vcworkBuilt('aarch64'), none.swapAccounting()]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ])
    const cannotTell = tierFacts([
      unknown({ id: 'kvm.device', area: 'kvm', title: '', facts: { present: true, writable: null } }, 'opening it failed'),
      unknown({ id: 'os-features.swap-accounting', area: 'os-features', title: '', facts: { swapAccounting: false } }, 'cannot tell'),
    ])
    expect(cannotTell.kvmDevice()).toBeUndefined()
    expect(cannotTell.swapAccounting()).toBeUndefined()
  })
})
