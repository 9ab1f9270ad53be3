import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { AgentClient, AgentStartError } from '../../src/agent/client.js'
import { parseAgentLine } from '../../src/agent/protocol.js'

/** A fake agent: reads requests from the client's output, lets the test answer on the client's input. */
const pair = () => {
  const fromAgent = new PassThrough()
  const toAgent = new PassThrough()
  const requests: Record<string, unknown>[] = []
  let buf = ''
  toAgent.on('data', (c: Buffer) => {
    buf += c.toString()
    let nl
    while ((nl = buf.indexOf('\n')) >= 0) {
      requests.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>)
      buf = buf.slice(nl + 1)
    }
  })
  const client = new AgentClient(fromAgent, toAgent)
  const say = (o: unknown) => fromAgent.write(JSON.stringify(o) + '\n')
  return { client, fromAgent, requests, say }
}

const sample = (id: number, rep: number, value: number) => ({
  type: 'sample',
  id,
  job: 'cpu.int',
  metric: 'ops',
  unit: 'Mop/s',
  better: 'higher',
  value,
  rep,
  durationMs: 200,
  targetMs: 200,
  iterations: 1000,
  short: false,
  params: {},
})

describe('AgentClient', () => {
  it('ignores console noise before the ready line but keeps it in the tail', async () => {
    const { client, fromAgent } = pair()
    fromAgent.write('[    0.000] Linux version 6.1\nbooting...\n')
    fromAgent.write('{"type":"ready","version":"1.2","arch":"x86_64"}\n')
    await expect(client.ready(1000)).resolves.toEqual({ version: '1.2', arch: 'x86_64' })
    expect(client.tail()).toContain('Linux version 6.1')
  })

  it('collects the samples of its own request id and skips others and junk', async () => {
    const { client, requests, say, fromAgent } = pair()
    const p = client.run({ job: 'cpu.int', reps: 2, params: { targetMs: 200 } }, 1000)
    await new Promise((r) => setImmediate(r))
    const id = requests[0]!['id'] as number
    expect(requests[0]).toMatchObject({ job: 'cpu.int', reps: 2, params: { targetMs: 200 } })
    say(sample(id + 100, 1, 999))
    fromAgent.write('not json at all\n')
    fromAgent.write(
      '[  12.3] random: crng init done{"type":"sample","id":' +
        id +
        ',"job":"cpu.int","metric":"ops","unit":"Mop/s","better":"higher","value":10,"rep":1,"durationMs":201,"targetMs":200,"iterations":1000,"short":false,"params":{}}\n',
    )
    say(sample(id, 2, 11))
    say({ type: 'done', id })
    const out = await p
    expect(out.kind).toBe('ok')
    if (out.kind === 'ok') expect(out.samples.map((s) => s.value)).toEqual([10, 11])
  })

  it('turns an agent error, a timeout and a stream end into failed outcomes', async () => {
    const a = pair()
    const p1 = a.client.run({ job: 'io.seq', reps: 1, params: {} }, 1000)
    await new Promise((r) => setImmediate(r))
    a.say({ type: 'error', id: a.requests[0]!['id'], message: 'no target' })
    await expect(p1).resolves.toMatchObject({ kind: 'failed', reason: 'io.seq: no target' })

    const p2 = a.client.run({ job: 'cpu.int', reps: 1, params: {} }, 50)
    await expect(p2).resolves.toMatchObject({ kind: 'failed', reason: expect.stringContaining('within 50 ms') })

    const p3 = a.client.run({ job: 'cpu.int', reps: 1, params: {} }, 5000)
    a.fromAgent.write('last words\n')
    a.fromAgent.end()
    const r3 = await p3
    expect(r3).toMatchObject({ kind: 'failed', reason: expect.stringContaining('ended') })
    if (r3.kind === 'failed') expect(r3.logTail).toContain('last words')
    // after the end every request fails at once
    await expect(a.client.run({ job: 'cpu.int', reps: 1, params: {} }, 5000)).resolves.toMatchObject({ kind: 'failed' })
  })

  it('fails ready() on timeout and abort, with the tail', async () => {
    const a = pair()
    a.fromAgent.write('kernel panic - not syncing\n')
    await expect(a.client.ready(30)).rejects.toBeInstanceOf(AgentStartError)
    const ac = new AbortController()
    const p = a.client.ready(5000, ac.signal)
    ac.abort()
    await expect(p).rejects.toThrow('interrupted')
    await a.client.ready(10).catch((e: AgentStartError) => expect(e.logTail).toContain('kernel panic'))
  })

  it('answers env and quit', async () => {
    const a = pair()
    const p = a.client.env(1000)
    await new Promise((r) => setImmediate(r))
    a.say({ type: 'env', id: a.requests[0]!['id'], arch: 'x86_64', cpus: 2, kernel: '6.1.0', version: '1.2' })
    await expect(p).resolves.toMatchObject({ cpus: 2 })
    const q = a.client.quit(1000)
    await new Promise((r) => setImmediate(r))
    expect(a.requests[1]).toMatchObject({ op: 'quit' })
    a.fromAgent.end()
    await expect(q).resolves.toBe(true)
  })
})

describe('parseAgentLine', () => {
  it('rejects malformed samples', () => {
    expect(parseAgentLine('{"type":"sample","id":1,"job":"x","metric":"m","unit":"u","better":"sideways","value":1}')).toBeUndefined()
    expect(parseAgentLine('{"type":"sample","id":1,"job":"x","metric":"m","unit":"u","better":"lower","value":"1"}')).toBeUndefined()
    expect(parseAgentLine('{"type":"done"}')).toBeUndefined()
    expect(parseAgentLine('{"type":"done","id":3}')).toMatchObject({ type: 'done', id: 3 })
  })
  it('passes lines through the vcwork schema: unknown jobs, unknown keys and missing fields are not samples', () => {
    const ok = { ...sample(1, 1, 5) }
    expect(parseAgentLine(JSON.stringify(ok))).toMatchObject({ type: 'sample', id: 1, value: 5, rep: 1 })
    expect(parseAgentLine(JSON.stringify({ ...ok, job: 'cpu.bogus' }))).toBeUndefined()
    expect(parseAgentLine(JSON.stringify({ ...ok, extra: 1 }))).toBeUndefined()
    const { iterations: _dropped, ...missing } = ok
    expect(parseAgentLine(JSON.stringify(missing))).toBeUndefined()
    // A sample without a request id (CLI mode) answers no request.
    const { id: _noId, ...cli } = ok
    expect(parseAgentLine(JSON.stringify(cli))).toBeUndefined()
  })
})
