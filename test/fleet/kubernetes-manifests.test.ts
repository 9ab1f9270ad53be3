/**
 * deploy/kubernetes: every manifest validates against Kubernetes' own schemas (the kubernetes-models
 * package, generated from the API's OpenAPI definitions), and the mounts and privileges are what the
 * probe needs: the DaemonSet unprivileged with the host's folders read-only under the --root it passes,
 * features.d the only writable host folder; privileged only in the deep Job, one pod per node.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Namespace } from 'kubernetes-models/v1/Namespace'
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet'
import { Job } from 'kubernetes-models/batch/v1/Job'
import { parseAllDocuments } from 'yaml'
import { describe, expect, it } from 'vitest'
import { probeCommand } from '../../src/cli/commands/probe.js'
import { benchCommand } from '../../src/cli/commands/bench.js'

const DIR = join(import.meta.dirname, '..', '..', 'deploy', 'kubernetes')
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace as never,
  'apps/v1/DaemonSet': DaemonSet as never,
  'batch/v1/Job': Job as never,
}

// Manifests are free-form YAML; the schema check above is what types them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- walked by path, checked by the schemas
type Obj = Record<string, any>
const docs: { file: string; obj: Obj }[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((d) => {
      if (d.errors.length) throw new Error(`${file}: ${d.errors[0]!.message}`)
      return { file, obj: d.toJS() as Obj }
    }),
  )
const find = (kind: string) => docs.find((d) => d.obj['kind'] === kind)!.obj
const validate = (obj: Obj) => {
  const Model = MODELS[`${obj['apiVersion']}/${obj['kind']}`]
  if (!Model) throw new Error(`no schema model for ${obj['apiVersion']} ${obj['kind']}`)
  new Model(obj as never).validate()
}

describe('deploy/kubernetes manifests', () => {
  it('each one validates against the Kubernetes schemas', () => {
    expect(docs.map((d) => d.obj['kind']).sort()).toEqual(['DaemonSet', 'Job', 'Namespace'])
    for (const d of docs) expect(() => validate(d.obj), d.file).not.toThrow()
  })

  it('the validator does reject broken manifests (so the check above can fail)', () => {
    const ds = structuredClone(find('DaemonSet'))
    ds['spec']['template']['spec']['containers'][0]['volumeMounts'][0]['readOnly'] = 'yes'
    expect(() => validate(ds)).toThrow()
    const job = structuredClone(find('Job'))
    delete job['spec']['template']
    expect(() => validate(job)).toThrow()
  })

  it('the namespace enforces the privileged Pod Security level (hostPath and privileged pods need it)', () => {
    const ns = find('Namespace')
    expect(ns['metadata']['labels']['pod-security.kubernetes.io/enforce']).toBe('privileged')
    for (const d of docs) if (d.obj['kind'] !== 'Namespace') expect(d.obj['metadata']['namespace'], d.file).toBe(ns['metadata']['name'])
  })

  it('the probe DaemonSet is unprivileged, reads the host read-only under its --root, and writes only features.d', () => {
    const spec = find('DaemonSet')['spec']['template']['spec']
    expect(spec['hostPID'] ?? false).toBe(false)
    expect(spec['hostNetwork'] ?? false).toBe(false)
    expect(spec['tolerations']).toContainEqual({ operator: 'Exists' })
    const [c] = spec['containers']
    const sc = c['securityContext']
    expect(sc['privileged']).toBe(false)
    expect(sc['allowPrivilegeEscalation']).toBe(false)
    expect(sc['readOnlyRootFilesystem']).toBe(true)
    expect(sc['capabilities']['drop']).toEqual(['ALL'])
    expect(sc['capabilities']['add']).toBeUndefined()
    const script: string = c['args'].join(' ')
    const root = /--root (\S+)/.exec(script)?.[1]
    const nfd = /--nfd (\S+)/.exec(script)?.[1]
    expect(root).toBe('/host')
    const vols = new Map<string, Obj>(spec['volumes'].map((v: Obj) => [v['name'], v]))
    const hostMounts = c['volumeMounts'].filter((m: Obj) => vols.get(m['name'])?.['hostPath'])
    // every folder the probes read is mounted from the host at the same path under --root, read-only
    for (const p of ['/proc', '/sys', '/dev', '/etc', '/boot', '/usr', '/lib/modules']) {
      const m = hostMounts.find((x: Obj) => x['mountPath'] === `${root}${p}`)
      expect(m, p).toBeDefined()
      expect(vols.get(m['name'])!['hostPath']['path'], p).toBe(p)
      expect(m['readOnly'], p).toBe(true)
    }
    // the only writable host folder is NFD's features.d, and --nfd writes into it (not a dot-file)
    const writable = hostMounts.filter((m: Obj) => m['readOnly'] !== true)
    expect(writable).toHaveLength(1)
    expect(vols.get(writable[0]['name'])!['hostPath']['path']).toBe('/etc/kubernetes/node-feature-discovery/features.d')
    expect(nfd?.startsWith(writable[0]['mountPath'] + '/')).toBe(true)
    expect(nfd!.split('/').pop()!.startsWith('.')).toBe(false)
    // the expiry outlives two probe intervals' worth of one re-probe, so labels do not flap
    const ttl = Number(/--nfd-ttl (\d+)/.exec(script)?.[1])
    const sleep = Number(/sleep (\d+)/.exec(script)?.[1])
    expect(ttl).toBeGreaterThanOrEqual(2 * sleep)
    // the flags it passes exist
    for (const flag of ['--root', '--nfd', '--nfd-ttl', '--json']) expect(probeCommand.usage).toContain(flag)
  })

  it('the deep Job alone is privileged, runs one pod per node, and runs --deep and bench', () => {
    const job = find('Job')
    const spec = job['spec']['template']['spec']
    expect(spec['containers'][0]['securityContext']['privileged']).toBe(true)
    expect(job['spec']['parallelism']).toBe(job['spec']['completions'])
    expect(spec['restartPolicy']).toBe('Never')
    const [term] = spec['affinity']['podAntiAffinity']['requiredDuringSchedulingIgnoredDuringExecution']
    expect(term['topologyKey']).toBe('kubernetes.io/hostname')
    expect(term['labelSelector']['matchLabels']).toEqual(job['spec']['template']['metadata']['labels'])
    const script: string = spec['containers'][0]['args'].join(' ')
    expect(script).toMatch(/virtcheck probe --deep --json/)
    expect(script).toMatch(/virtcheck bench --json/)
    expect(script).not.toMatch(/--root/)
    expect(benchCommand.usage).toContain('--json')
    const ds = find('DaemonSet')['spec']['template']['spec']['containers'][0]['securityContext']
    expect(ds['privileged']).toBe(false)
  })

  it('the Containerfile builds from the repository or takes a packaged executable', () => {
    const cf = readFileSync(join(DIR, 'Containerfile'), 'utf8')
    expect(cf).toMatch(/^FROM .* AS build$/m)
    expect(cf).toMatch(/npm run build/)
    expect(cf).toMatch(/ARG VIRTCHECK_BINARY=/)
    const image = find('DaemonSet')['spec']['template']['spec']['containers'][0]['image']
    expect(cf).toContain(image.split(':')[0])
  })
})
