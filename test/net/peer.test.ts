import { execa } from 'execa'
import { describe, expect, it } from 'vitest'
import { createPeerNetwork } from '../../src/net/peer.js'
import { startLoopbackPeer } from '../../src/net/loopback-peer.js'
import { isVirtcheckNetns, linkSubnet, peerNetnsName } from '../../src/net/addresses.js'
import { CleanupRegistry } from '../../src/host/cleanup.js'
import { nativeBinary } from '../../src/host/paths.js'
import { assertRealAvailable, skipReal } from '../bench/need.js'

describe('address planning', () => {
  it('hands out distinct /30s in 10.213/16 and recognisable names', () => {
    expect(linkSubnet(0)).toEqual({ network: '10.213.0.0/30', peer: '10.213.0.1', tier: '10.213.0.2' })
    expect(linkSubnet(65)).toEqual({ network: '10.213.1.4/30', peer: '10.213.1.5', tier: '10.213.1.6' })
    expect(() => linkSubnet(16384)).toThrow()
    expect(isVirtcheckNetns(peerNetnsName(42, 3))).toBe(true)
    expect(isVirtcheckNetns('virtcheck-abc')).toBe(false)
  })
})

const netnsList = async () => (await execa('ip', ['netns', 'list'], { reject: false })).stdout

describe.skipIf(skipReal)('peer network (real netns + veth)', () => {
  it('has every component it needs', () => assertRealAvailable())

  it('creates the namespace, reaches the peer over a veth from another namespace, removes everything', async () => {
    const cleanup = new CleanupRegistry()
    // a stand-in "container": a process in its own network namespace
    const holder = execa('unshare', ['--net', 'sleep', '30'], { reject: false })
    let servePid = -1
    try {
      await new Promise((r) => setTimeout(r, 200))
      const peer = await createPeerNetwork(cleanup, { maxSeconds: 30 })
      servePid = peer.serve.pid
      expect(await netnsList()).toContain(peer.netns)
      const link = await peer.attachVeth({ pid: holder.pid! })
      const addrs = (await execa('nsenter', ['-t', String(holder.pid), '-n', 'ip', '-br', 'addr'])).stdout
      expect(addrs).toContain(link.localAddress)
      expect(addrs).not.toMatch(/eth0/)
      const rr = await execa(
        'nsenter',
        [
          '-t',
          String(holder.pid),
          '-n',
          nativeBinary('vcwork'),
          'run',
          'net.rr',
          '--reps',
          '1',
          '--target-ms',
          '200',
          '--peer',
          `${link.peerAddress}:${peer.port}`,
        ],
        { reject: false, timeout: 20_000 },
      )
      expect(rr.exitCode, rr.stderr).toBe(0)
      expect(rr.stdout).toContain('"type":"sample"')
      const tap = await peer.attachTap()
      expect((await execa('ip', ['-n', peer.netns, 'link', 'show', tap.ifname])).exitCode).toBe(0)
      // the host namespace never saw any of it
      expect((await execa('ip', ['-br', 'link'])).stdout).not.toMatch(/vcp|vcc|vctap/)
      await peer.close()
      expect(await netnsList()).not.toContain(peer.netns)
    } finally {
      await cleanup.runAll()
      holder.kill('SIGKILL')
      await holder
    }
    expect(await netnsList()).not.toContain(`virtcheck-${process.pid}-`)
    expect(servePid).toBeGreaterThan(0)
    expect(() => process.kill(servePid, 0)).toThrow() // the peer's server is gone
  }, 40_000)

  it('loopback peer for the native tier', async () => {
    const cleanup = new CleanupRegistry()
    try {
      const p = await startLoopbackPeer(cleanup, { maxSeconds: 20 })
      expect(p.address).toMatch(/^127\.0\.0\.1:\d+$/)
      const rr = await execa(nativeBinary('vcwork'), ['run', 'net.rr', '--reps', '1', '--target-ms', '200', '--peer', p.address], {
        reject: false,
        timeout: 20_000,
      })
      expect(rr.exitCode, rr.stderr).toBe(0)
    } finally {
      await cleanup.runAll()
    }
  }, 30_000)
})
