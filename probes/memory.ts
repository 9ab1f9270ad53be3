/** Memory features that matter to guests: hugepages (sizes and counts), THP mode, KSM. */
import { evidence, pass, skip, unknown } from '../src/core/finding.js'
import { parseBracketChoice, parseIntStrict, parseMeminfo } from '../src/parse/kv.js'
import type { Probe } from './types.js'
import { text } from './lib/facts.js'

export const memoryProbe: Probe = {
  id: 'memory',
  area: 'memory',
  reads: [
    '/sys/kernel/mm/hugepages/*/{nr_hugepages,free_hugepages}',
    '/proc/meminfo',
    '/sys/kernel/mm/transparent_hugepage/{enabled,defrag}',
    '/sys/kernel/mm/ksm/{run,pages_sharing}',
  ],
  async check(host) {
    const hpHead = { id: 'memory.hugepages', area: 'memory', title: 'Huge pages (hugetlbfs)' } as const
    const thpHead = { id: 'memory.thp', area: 'memory', title: 'Transparent huge pages' } as const
    const ksmHead = { id: 'memory.ksm', area: 'memory', title: 'Kernel same-page merging (KSM)' } as const
    const l = await host.list('/sys/kernel/mm/hugepages')
    const sizes = l.kind === 'ok' ? l.entries.filter((e) => /^hugepages-\d+kB$/.test(e)) : []
    const pools = await Promise.all(
      sizes.map(async (s) => ({
        kb: Number(/\d+/.exec(s)?.[0]),
        nr: parseIntStrict(await text(host, `/sys/kernel/mm/hugepages/${s}/nr_hugepages`)) ?? 0,
        free: parseIntStrict(await text(host, `/sys/kernel/mm/hugepages/${s}/free_hugepages`)) ?? 0,
      })),
    )
    const mi = parseMeminfo((await text(host, '/proc/meminfo')) ?? '')
    const fmt = (kb: number) => (kb >= 1048576 ? `${kb / 1048576}G` : `${kb / 1024}M`)
    const hp =
      pools.length === 0
        ? skip(hpHead, 'no huge page sizes offered by this kernel', [
            evidence('/sys/kernel/mm/hugepages', l.kind === 'ok' ? 'empty' : l.kind),
          ])
        : pass(
            {
              ...hpHead,
              facts: { sizes: pools.map((p) => fmt(p.kb)).join(','), reservedBytes: pools.reduce((n, p) => n + p.nr * p.kb * 1024, 0) },
            },
            `sizes ${pools.map((p) => fmt(p.kb)).join(', ')}; reserved ${pools.map((p) => `${p.nr}×${fmt(p.kb)} (${p.free} free)`).join(', ')}${pools.every((p) => p.nr === 0) ? ' — none reserved; guests can use -mem-path only after reserving some' : ''}`,
            [
              evidence('/sys/kernel/mm/hugepages', pools.map((p) => `${fmt(p.kb)}: nr=${p.nr} free=${p.free}`).join('; ')),
              evidence(
                '/proc/meminfo',
                `Hugepagesize ${mi.get('Hugepagesize') ?? '?'} kB, HugePages_Total ${mi.get('HugePages_Total') ?? '?'}`,
              ),
            ],
          )
    const [en, defrag] = await Promise.all([
      text(host, '/sys/kernel/mm/transparent_hugepage/enabled'),
      text(host, '/sys/kernel/mm/transparent_hugepage/defrag'),
    ])
    const mode = en ? parseBracketChoice(en) : undefined
    const thp =
      mode === undefined
        ? skip(thpHead, 'THP not built into this kernel', [evidence('/sys/kernel/mm/transparent_hugepage/enabled', 'missing')])
        : pass(
            { ...thpHead, facts: { mode } },
            `mode ${mode}${mode === 'madvise' ? ' (QEMU madvises guest RAM, so guests get huge pages)' : mode === 'never' ? ' (guest RAM uses 4K pages: more TLB misses)' : ''}`,
            [
              evidence('/sys/kernel/mm/transparent_hugepage/enabled', en?.trim() ?? ''),
              evidence('/sys/kernel/mm/transparent_hugepage/defrag', defrag?.trim() ?? '?'),
            ],
          )
    const run = await text(host, '/sys/kernel/mm/ksm/run')
    let ksm
    if (run === undefined)
      ksm = skip({ ...ksmHead, facts: { ksm: 'absent' } }, 'KSM not built into this kernel', [
        evidence('/sys/kernel/mm/ksm/run', 'missing'),
      ])
    else {
      const r = parseIntStrict(run)
      const sharing = parseIntStrict(await text(host, '/sys/kernel/mm/ksm/pages_sharing'))
      const state = r === 1 ? 'running' : r === 0 ? 'stopped' : r === 2 ? 'unmerging' : undefined
      ksm =
        state === undefined
          ? unknown(ksmHead, `unexpected run value ${run.trim()}`)
          : pass(
              { ...ksmHead, facts: { ksm: state } },
              `available, ${state}${sharing ? ` (${sharing} pages sharing)` : ''}${state === 'running' ? ': adds CPU overhead and noise to benchmarks' : ''}`,
              [evidence('/sys/kernel/mm/ksm/run', run.trim())],
            )
    }
    return [hp, thp, ksm]
  },
}
