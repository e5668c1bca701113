'use strict'
// How calls are scheduled (src/dispatch.rs, src/sink.rs, src/uv.rs): a call in flight keeps the
// process alive and nothing else does, timeouts fire, many calls settle together, worker
// threads each get their own wake-up, and the threadsafe-function fallback (used where libuv is
// not Node's, e.g. Bun) behaves the same.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')
const { spawn } = require('node:child_process')
const { PACKAGE, startEmulator, stopEmulator, client, createKey } = require('./helpers')

const BODY = '{"CiphertextBlob":"Y2lwaGVy","KeyId":"key-slow","KeyVersionId":"v1","RequestId":"r-1"}'

// A keep-alive HTTP server on loopback that answers every request after `delayMs` (or never).
function slowServer(delayMs) {
  const server = net.createServer((sock) => {
    let buf = ''
    sock.on('data', (d) => {
      buf += d.toString('latin1')
      for (;;) {
        const end = buf.indexOf('\r\n\r\n')
        if (end < 0) return
        const len = Number((/content-length:\s*(\d+)/i.exec(buf.slice(0, end)) || [0, 0])[1])
        if (buf.length < end + 4 + len) return
        buf = buf.slice(end + 4 + len)
        if (delayMs == null) continue
        setTimeout(() => {
          sock.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${BODY.length}\r\n\r\n${BODY}`)
        }, delayMs)
      }
    })
    sock.on('error', () => {})
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

function runChild(script, args) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(process.execPath, ['-e', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { err += d })
    const killer = setTimeout(() => child.kill('SIGKILL'), 20000)
    child.on('exit', (code, signal) => {
      clearTimeout(killer)
      resolve({ code, signal, out, err, ms: Date.now() - started })
    })
  })
}

let emu
let slow
let silent
before(async () => {
  emu = await startEmulator()
  slow = await slowServer(400)
  silent = await slowServer(null)
})
after(async () => {
  slow.close()
  silent.close()
  await stopEmulator(emu)
})

const ONE_SLOW_CALL = `
if (process.argv[3] === 'fallback') globalThis.Bun = {}
const kmskit = require(process.argv[1])
const c = new kmskit.Client({ endpoint: process.argv[2], region: 'cn-hangzhou', credentials: new kmskit.AccessKey('a', 'b') })
const t0 = Date.now()
c.encrypt('k', Buffer.from('x')).then((r) => console.log('settled', r.keyId, Date.now() - t0))
`

for (const mode of ['libuv', 'fallback']) {
  test(`a call in flight keeps the process alive until it settles, then it exits (${mode})`, async () => {
    const port = slow.address().port
    const r = await runChild(ONE_SLOW_CALL, [PACKAGE, `http://127.0.0.1:${port}`, mode])
    assert.equal(r.signal, null, `killed after ${r.ms} ms; stderr: ${r.err}`)
    assert.equal(r.code, 0, r.err)
    const m = /^settled key-slow (\d+)/.exec(r.out)
    assert.ok(m, r.out)
    assert.ok(Number(m[1]) >= 350, `settled after ${m[1]} ms`)
    assert.ok(r.ms < 8000, `took ${r.ms} ms`)
  })

  test(`concurrent calls on several clients all settle, and errors keep their class (${mode})`, async () => {
    const script = `
if (process.argv[5] === 'fallback') globalThis.Bun = {}
const kmskit = require(process.argv[1])
const [endpoint, id, secret] = process.argv.slice(2)
const cs = [0, 1, 2].map(() => new kmskit.Client({ endpoint, region: 'cn-hangzhou', credentials: new kmskit.AccessKey(id, secret) }))
const bad = new kmskit.Client({ endpoint, region: 'cn-hangzhou', credentials: new kmskit.AccessKey(id, 'wrong') })
;(async () => {
  const { KeyMetadata: { KeyId } } = await cs[0].call('CreateKey', { KeySpec: 'Aliyun_AES_256' })
  const all = await Promise.allSettled(Array.from({ length: 300 }, (_, i) =>
    i % 10 === 9 ? bad.encrypt(KeyId, Buffer.from('x')) : cs[i % 3].encrypt(KeyId, Buffer.from('p' + i))))
  const ok = all.filter((s) => s.status === 'fulfilled' && s.value.keyId === KeyId).length
  const auth = all.filter((s) => s.status === 'rejected' && s.reason instanceof kmskit.AuthenticationError).length
  const io = require(require('node:path').join(process.argv[1], 'native.js')).__ioState()
  console.log('ok', ok, 'auth', auth, 'driver', io.driver, 'sockets', io.sockets)
})()
`
    const r = await runChild(script, [PACKAGE, emu.endpoint, emu.access_key_id, emu.access_key_secret, mode])
    assert.equal(r.code, 0, r.err)
    // In Node the connections live on the loop's driver (kept alive in the pool after the calls);
    // in the fallback, on the I/O thread's runtime.
    const m = /^ok 270 auth 30 driver (true|false) sockets (\d+)/.exec(r.out)
    assert.ok(m, r.out)
    if (mode === 'libuv') {
      assert.equal(m[1], 'true')
      assert.ok(Number(m[2]) >= 4, `${m[2]} sockets on the driver`)
    } else {
      assert.equal(m[1], 'false')
      assert.equal(m[2], '0')
    }
  })
}

test('a read timeout fires while nothing else happens', async () => {
  const c = new (require(PACKAGE).Client)({
    endpoint: `http://127.0.0.1:${silent.address().port}`,
    region: 'cn-hangzhou',
    credentials: new (require(PACKAGE).AccessKey)('a', 'b'),
    readTimeoutMs: 1500,
    maxAttempts: 1,
  })
  const t0 = Date.now()
  await assert.rejects(c.encrypt('k', Buffer.from('x')), (e) => e.code === 'ReadTimeout')
  const ms = Date.now() - t0
  assert.ok(ms >= 1400 && ms < 5000, `rejected after ${ms} ms`)
})

test('worker threads make calls and exit cleanly, even one ended with a call in flight', async () => {
  const script = `
const { Worker } = require('node:worker_threads')
const [pkg, endpoint, id, secret, slowEndpoint] = process.argv.slice(1)
const body = \`
const { parentPort, workerData: w } = require('node:worker_threads')
const kmskit = require(w.pkg)
const c = new kmskit.Client({ endpoint: w.endpoint, region: 'cn-hangzhou', credentials: new kmskit.AccessKey(w.id, w.secret) })
;(async () => {
  if (w.slow) { c.encrypt('k', Buffer.from('x')); parentPort.postMessage('sent'); return }
  const { KeyMetadata: { KeyId } } = await c.call('CreateKey', { KeySpec: 'Aliyun_AES_256' })
  for (let i = 0; i < 20; i++) await c.encrypt(KeyId, Buffer.from('x'))
  const rs = await Promise.all(Array.from({ length: 20 }, () => c.encrypt(KeyId, Buffer.from('y'))))
  parentPort.postMessage('ok ' + rs.length)
})()
\`
const codes = []
const run = (data) => new Promise((resolve) => {
  const w = new Worker(body, { eval: true, workerData: data })
  w.on('message', (m) => { if (m === 'sent') setTimeout(() => w.terminate(), 50); else console.log(m) })
  w.on('error', (e) => console.log('error', e.message))
  w.on('exit', (code) => { codes.push(code); resolve() })
})
Promise.all([
  run({ pkg, endpoint, id, secret }), run({ pkg, endpoint, id, secret }),
  run({ pkg, endpoint: slowEndpoint, id, secret, slow: true }),
]).then(() => console.log('exits', codes.sort().join(',')))
`
  const r = await runChild(script, [PACKAGE, emu.endpoint, emu.access_key_id, emu.access_key_secret,
    `http://127.0.0.1:${slow.address().port}`])
  assert.equal(r.signal, null, `killed after ${r.ms} ms; stderr: ${r.err}`)
  assert.equal(r.code, 0, r.err)
  assert.equal((r.out.match(/^ok 20$/gm) || []).length, 2, r.out)
  assert.match(r.out, /exits 0,0,1/)
})

test('workers ended with calls in flight leave no descriptor behind', async () => {
  // Each worker's calls wait on its loop's driver; when the worker ends mid-call, nothing will
  // turn that driver again, and the call, its connection and the driver must all go.
  const script = `
const { Worker } = require('node:worker_threads')
const fs = require('node:fs')
const [pkg, slowEndpoint] = process.argv.slice(1)
const body = \`
const { parentPort, workerData: w } = require('node:worker_threads')
const kmskit = require(w.pkg)
const c = new kmskit.Client({ endpoint: w.endpoint, region: 'cn-hangzhou', credentials: new kmskit.AccessKey('a', 'b') })
for (let i = 0; i < 3; i++) c.encrypt('k', Buffer.from('x'))
parentPort.postMessage('sent')
\`
const once = () => new Promise((resolve) => {
  const w = new Worker(body, { eval: true, workerData: { pkg, endpoint: slowEndpoint } })
  w.on('message', () => setTimeout(() => w.terminate(), 50))
  w.on('exit', resolve)
})
;(async () => {
  await once()
  const before = fs.readdirSync('/proc/self/fd').length
  for (let i = 0; i < 8; i++) await once()
  const after = fs.readdirSync('/proc/self/fd').length
  console.log('fds', before, after)
})()
`
  const r = await runChild(script, [PACKAGE, `http://127.0.0.1:${slow.address().port}`])
  assert.equal(r.code, 0, r.err)
  const m = /^fds (\d+) (\d+)/.exec(r.out)
  assert.ok(m, r.out)
  // 8 workers x (3 connections + 1 driver) would be 32 more if anything leaked.
  assert.ok(Number(m[2]) - Number(m[1]) <= 3, `descriptors ${m[1]} -> ${m[2]}`)
})

test('a call that fails before any I/O rejects like any other', async () => {
  const c = client(emu)
  const keyId = await createKey(c)
  await assert.rejects(c.generateDataKey(keyId, { numberOfBytes: 1.5 }), (e) => e.code === 'InvalidArgument')
  await assert.rejects(c.encrypt(keyId, Buffer.from('x'), { encryptionContext: { n: 1 } }), (e) => e.kind === 'InvalidArgument')
  assert.equal((await c.encrypt(keyId, Buffer.from('after'))).keyId, keyId)
})
