/**
 * Run lab hosts by name and print what came back and which expectations failed (for working on a
 * host description: `npx tsx test/lab/run-one.ts amd-v-npt [--dump DIR]`). The test is lab.lab.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { unmetExpectations } from './expect.js'
import { LAB_HOSTS, vfioPassthrough } from './hosts/index.js'
import { runLabHost } from './run-host.js'

const args = process.argv.slice(2)
const dumpAt = args.indexOf('--dump')
const dump = dumpAt >= 0 ? args.splice(dumpAt, 2)[1] : undefined
const checkout = resolve(new URL('../..', import.meta.url).pathname)
let bad = 0
for (const name of args) {
  const host = [...LAB_HOSTS, vfioPassthrough].find((h) => h.name === name)
  if (!host) {
    console.error(`no lab host ${name}; known: ${LAB_HOSTS.map((h) => h.name).join(', ')}`)
    process.exit(2)
  }
  const out = await runLabHost(host, { checkout, log: (l) => console.error(l) })
  console.log(`${host.name}: ${out.ended} in ${(out.wallMs / 1000).toFixed(1)} s`)
  for (const r of out.runs)
    console.log(
      `  ${r.name}: exit ${r.exitCode ?? '-'} in ${r.durationMs ?? '-'} ms${r.stderr ? `; stderr tail: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}` : ''}`,
    )
  if (dump) {
    mkdirSync(dump, { recursive: true })
    writeFileSync(join(dump, `${host.name}.console.txt`), out.console)
    for (const r of out.runs) {
      writeFileSync(join(dump, `${host.name}.${r.name}.json`), JSON.stringify(r.json ?? null, null, 2))
      writeFileSync(join(dump, `${host.name}.${r.name}.out.txt`), `${r.stdout}\n--- stderr ---\n${r.stderr}`)
    }
  }
  const unmet = unmetExpectations(host, out)
  for (const u of unmet) console.log(`  UNMET ${u}`)
  if (unmet.length) bad++
}
process.exit(bad ? 1 : 0)
