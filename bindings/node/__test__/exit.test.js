'use strict'
// The process ends by itself after its last call: nothing kmskit leaves behind (runtime
// threads, pooled connections) may keep Node's event loop alive.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const { PACKAGE, startEmulator, stopEmulator } = require('./helpers')

let emu
before(async () => { emu = await startEmulator() })
after(() => stopEmulator(emu))

function runChild(script, args) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(process.execPath, ['-e', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { err += d })
    const killer = setTimeout(() => child.kill('SIGKILL'), 15000)
    child.on('exit', (code, signal) => {
      clearTimeout(killer)
      resolve({ code, signal, out, err, ms: Date.now() - started })
    })
  })
}

const ONE_CALL = `
const kmskit = require(process.argv[1])
const [endpoint, region, id, secret] = process.argv.slice(2)
const c = new kmskit.Client({ endpoint, region, credentials: new kmskit.AccessKey(id, secret) })
c.call('CreateKey', { KeySpec: 'Aliyun_AES_256' })
  .then((k) => c.encrypt(k.KeyMetadata.KeyId, Buffer.from('bye')))
  .then((r) => console.log('ok', r.keyId))
`

test('a script that makes calls exits promptly without process.exit()', async () => {
  const r = await runChild(ONE_CALL, [PACKAGE, emu.endpoint, emu.region, emu.access_key_id, emu.access_key_secret])
  assert.equal(r.signal, null, `killed after ${r.ms} ms; stderr: ${r.err}`)
  assert.equal(r.code, 0, r.err)
  assert.match(r.out, /^ok key-/)
  assert.ok(r.ms < 5000, `took ${r.ms} ms`)
})

test('a script whose call fails exits promptly too', async () => {
  const script = `
const kmskit = require(process.argv[1])
const c = new kmskit.Client({ endpoint: process.argv[2], region: 'cn-hangzhou', credentials: new kmskit.AccessKey('a', 'b') })
c.encrypt('key-x', Buffer.from('x')).catch((e) => console.log('failed', e.code))
`
  const r = await runChild(script, [PACKAGE, emu.endpoint])
  assert.equal(r.signal, null, `killed after ${r.ms} ms`)
  assert.equal(r.code, 0, r.err)
  assert.match(r.out, /^failed AuthenticationFailed/)
  assert.ok(r.ms < 5000, `took ${r.ms} ms`)
})
