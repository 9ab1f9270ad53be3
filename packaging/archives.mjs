// The executable in the two shapes a server takes: a .tar.xz (unpack anywhere, run) and a binary .deb
// built with dpkg-deb (so `apt install ./virtcheck_<v>_<arch>.deb` pulls the tiers' packages too).
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const run = (argv, opts = {}) => {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 64 << 20, ...opts })
  if (r.error || r.status !== 0)
    throw new Error(`${argv[0]} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' ')}`)
  return r.stdout
}

/** Fixed timestamps and owners, so the same inputs give the same archive. */
const TAR_REPRODUCIBLE = ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0']

/** virtcheck-<version>-linux-<arch>.tar.xz holding virtcheck-<version>-linux-<arch>/{virtcheck,README.md}. */
export function tarXz({ exe, readme, outDir, version, target, xzLevel }) {
  const name = `virtcheck-${version}-linux-${target}`
  const stage = path.join(outDir, `.stage-${name}`)
  fs.rmSync(stage, { recursive: true, force: true })
  fs.mkdirSync(path.join(stage, name), { recursive: true })
  fs.copyFileSync(exe, path.join(stage, name, 'virtcheck'))
  fs.chmodSync(path.join(stage, name, 'virtcheck'), 0o755)
  fs.copyFileSync(readme, path.join(stage, name, 'README.md'))
  const out = path.join(outDir, `${name}.tar.xz`)
  run(['tar', ...TAR_REPRODUCIBLE, '-I', `xz -T0 -${xzLevel}`, '-cf', out, '-C', stage, name])
  fs.rmSync(stage, { recursive: true, force: true })
  return out
}

/**
 * Debian control fields. Depends: only what the Node binary links (GLIBC_2.28 and GLIBCXX_3.4.21 are the
 * newest symbol versions it needs, measured with objdump -T; glibc 2.28 is also the oldest its
 * official builds support; libstdc++ and libgcc_s). The tiers' tools are Recommends, so apt installs them
 * by default and a minimal install still probes.
 */
export const controlFile = ({ version, debArch, installedKiB }) => {
  const qemu = debArch === 'arm64' ? 'qemu-system-arm' : 'qemu-system-x86'
  return [
    'Package: virtcheck',
    `Version: ${version}`,
    `Architecture: ${debArch}`,
    'Maintainer: virtcheck developers <maintainers@virtcheck.invalid>',
    `Installed-Size: ${installedKiB}`,
    'Depends: libc6 (>= 2.28), libstdc++6 (>= 5), libgcc-s1',
    `Recommends: ${qemu}, qemu-user-static, busybox-static, runc, cpio, lz4, xz-utils, kmod, iproute2`,
    'Suggests: podman, lxc, docker.io, qemu-system-arm',
    'Section: admin',
    'Priority: optional',
    'Description: what can this Linux host virtualize, and what does each kind cost',
    ' virtcheck probes a host for hardware virtualization, KVM, IOMMU, cgroups,',
    ' namespaces and container runtimes, with evidence and fixes, and benchmarks',
    ' one static workload natively, in containers, under QEMU guests and under',
    ' emulation. A single executable: it needs no Node.js on the system.',
    '',
  ].join('\n')
}

/** virtcheck_<version>_<debArch>.deb: /usr/bin/virtcheck plus its docs. */
export function deb({ exe, readme, outDir, version, debArch, xzLevel }) {
  const stage = path.join(outDir, `.stage-deb-${debArch}`)
  fs.rmSync(stage, { recursive: true, force: true })
  const bin = path.join(stage, 'usr', 'bin')
  const doc = path.join(stage, 'usr', 'share', 'doc', 'virtcheck')
  fs.mkdirSync(path.join(stage, 'DEBIAN'), { recursive: true })
  fs.mkdirSync(bin, { recursive: true })
  fs.mkdirSync(doc, { recursive: true })
  fs.copyFileSync(exe, path.join(bin, 'virtcheck'))
  fs.chmodSync(path.join(bin, 'virtcheck'), 0o755)
  fs.copyFileSync(readme, path.join(doc, 'README.md'))
  fs.writeFileSync(
    path.join(doc, 'copyright'),
    'virtcheck\nLicense: MIT\n\nThe executable embeds Node.js (MIT License, https://nodejs.org).\n',
  )
  const installedKiB = Math.ceil((fs.statSync(exe).size + fs.statSync(readme).size) / 1024) + 4
  fs.writeFileSync(path.join(stage, 'DEBIAN', 'control'), controlFile({ version, debArch, installedKiB }))
  for (const d of [stage, path.join(stage, 'DEBIAN'), path.join(stage, 'usr'), bin, path.dirname(doc), doc]) fs.chmodSync(d, 0o755)
  const out = path.join(outDir, `virtcheck_${version}_${debArch}.deb`)
  run(['dpkg-deb', '--root-owner-group', `-Zxz`, `-z${xzLevel}`, '--build', stage, out], {
    env: { ...process.env, SOURCE_DATE_EPOCH: '0' },
  })
  fs.rmSync(stage, { recursive: true, force: true })
  return out
}
