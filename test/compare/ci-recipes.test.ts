// The CI recipes in docs/ci must parse as YAML and every `virtcheck ...` command line in them must use
// commands and flags the real CLI has (checked against each command's --help text).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Command } from '../../src/cli/context.js'
import { loadAllCommands } from '../../src/cli/commands/index.js'
import { PACKAGE_ROOT } from '../../src/host/paths.js'
import { parseDocument } from 'yaml'

let COMMANDS: readonly Command[] = []
beforeAll(async () => {
  COMMANDS = await loadAllCommands()
})

type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml }

/** Strict YAML 1.2 (the `yaml` package): any error or warning, duplicate keys included, fails the recipe. */
const parseYaml = (text: string): Yaml => {
  const doc = parseDocument(text, { uniqueKeys: true, strict: true, prettyErrors: true })
  const problems = [...doc.errors, ...doc.warnings]
  if (problems.length > 0) throw new Error(problems.map((p) => p.message).join('; '))
  return doc.toJS() as Yaml
}

const load = (name: string): Yaml => parseYaml(readFileSync(join(PACKAGE_ROOT, 'docs', 'ci', name), 'utf8'))

/** Every shell string in a parsed document under keys `run`, `script`, `before_script`, `after_script`. */
const shellStrings = (doc: Yaml, key = ''): string[] => {
  if (typeof doc === 'string') return ['run', 'script', 'before_script', 'after_script'].includes(key) ? [doc] : []
  if (Array.isArray(doc)) return doc.flatMap((d) => shellStrings(d, key))
  if (doc && typeof doc === 'object') return Object.entries(doc).flatMap(([k, v]) => shellStrings(v, k))
  return []
}

/** Split shell text into simple commands and tokenize them (quotes respected, enough for recipes). */
const virtcheckInvocations = (shell: string): string[][] => {
  const joined = shell.replace(/\\\n\s*/g, ' ')
  const out: string[][] = []
  for (const segment of joined.split(/\n|&&|\|\||;|\|/)) {
    const tokens = [...segment.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '')
    const at = tokens.findIndex((t) => t === 'virtcheck' || t.endsWith('/virtcheck') || t.endsWith('bin/virtcheck.js'))
    if (at >= 0) out.push(tokens.slice(at + 1))
  }
  return out
}

const hasFlag = (usage: string, flag: string): boolean =>
  new RegExp(`(^|[\\s\\[(|])${flag.replace(/[-]/g, '\\-')}(?![\\w-])`, 'm').test(usage)

const checkInvocation = (args: readonly string[]): string[] => {
  const [name, ...rest] = args
  const cmd = COMMANDS.find((c) => c.name === name)
  if (!cmd) return [`unknown command ${String(name)}`]
  const problems: string[] = []
  if (/not built yet/.test(cmd.usage)) problems.push(`${cmd.name} is still a placeholder`)
  if (cmd.name === 'history' && !['add', 'report', 'export'].includes(rest[0] ?? ''))
    problems.push(`unknown history subcommand ${String(rest[0])}`)
  for (const t of rest.filter((x) => x.startsWith('--'))) {
    const flag = t.split('=')[0] as string
    if (!hasFlag(cmd.usage, flag)) problems.push(`${cmd.name}: ${flag} is not in \`virtcheck ${cmd.name} --help\``)
  }
  return problems
}

describe.each(['github-actions.yml', 'gitlab-ci.yml'])('docs/ci/%s', (file) => {
  const doc = load(file)
  const shells = shellStrings(doc)
  const calls = shells.flatMap(virtcheckInvocations)

  it('parses and runs the whole gate: gate against the history with --fail-on and Markdown, a first bench to JSON, history', () => {
    expect(calls.map((c) => c[0])).toEqual(expect.arrayContaining(['probe', 'gate', 'bench', 'history']))
    expect(calls.find((c) => c[0] === 'gate')).toEqual(expect.arrayContaining(['history', '--result', '--fail-on', 'regression', '--md']))
    expect(calls.find((c) => c[0] === 'bench')).toContain('--json')
    const adds = calls.filter((c) => c[0] === 'history' && c[1] === 'add')
    expect(adds).toHaveLength(1)
    expect(adds[0]).toEqual(expect.arrayContaining(['--dir', 'history']))
    expect(shells.join('\n')).toMatch(file.startsWith('github') ? /GITHUB_STEP_SUMMARY/ : /merge_requests\/\$CI_MERGE_REQUEST_IID\/notes/)
  })

  it('every virtcheck command and flag exists in the real CLI', () => {
    expect(calls.length).toBeGreaterThan(4)
    expect(calls.flatMap(checkInvocation)).toEqual([])
  })

  it('runs on a self-hosted runner', () => {
    const text = JSON.stringify(doc)
    expect(text).toMatch(file.startsWith('github') ? /"self-hosted"/ : /"tags":\["virtcheck"\]/)
  })
})

describe('the recipe checker itself', () => {
  it('finds an unknown flag and command', () => {
    expect(checkInvocation(['compare', 'a.json', 'b.json', '--nope'])).toEqual(['compare: --nope is not in `virtcheck compare --help`'])
    expect(checkInvocation(['frobnicate'])).toEqual(['unknown command frobnicate'])
    expect(virtcheckInvocations('npx virtcheck compare a b \\\n  --md x && echo ok')).toEqual([['compare', 'a', 'b', '--md', 'x']])
  })
  it('the strict YAML loader rejects malformed YAML', () => {
    expect(() => parseYaml('a: 1\na: 2')).toThrow(/unique/i)
    expect(() => parseYaml('a:\n\tb: 1')).toThrow(/tab/i)
    expect(() => parseYaml('a:\n  b: 1\n c: 2')).toThrow(/same column/i)
    expect(() => parseYaml('a: "x')).toThrow(/missing closing/i)
    expect(parseYaml('on:\n  push: {}\njobs: [a, "b"]')).toEqual({ on: { push: {} }, jobs: ['a', 'b'] })
  })
})
