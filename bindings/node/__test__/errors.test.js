'use strict'
// Error kinds and their fields, configuration errors, and retries through injected faults.
const { test, before, after, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')
const { kmskit, startEmulator, stopEmulator, admin, client, createKey, requests } = require('./helpers')

let emu
let c
let keyId

before(async () => {
  emu = await startEmulator()
  c = client(emu)
  keyId = await createKey(c)
})
after(() => stopEmulator(emu))
beforeEach(() => admin(emu, 'DELETE', '/_emulator/faults'))

test('an unknown key is NotFound with every field filled', async () => {
  const err = await c.encrypt('key-does-not-exist', Buffer.from('x')).then(
    () => assert.fail('resolved'), (e) => e)
  assert.ok(err instanceof kmskit.NotFoundError)
  assert.ok(err instanceof kmskit.KmsError)
  assert.ok(err instanceof Error)
  assert.equal(err.name, 'NotFoundError')
  assert.equal(err.code, 'ResourceNotFound')
  assert.equal(err.kmsCode, 3301)
  assert.equal(err.kind, 'NotFound')
  assert.equal(err.serviceCode, 'Forbidden.KeyNotFound')
  assert.equal(err.httpStatus, 404)
  assert.equal(typeof err.requestId, 'string')
  assert.ok(err.requestId.length > 0)
  assert.equal(err.retryable, false)
  assert.match(err.message, /ResourceNotFound/)
  assert.match(err.stack, /errors\.test\.js/)
})

test('a wrong secret is Authentication, and the secret is not in the error', async () => {
  const bad = client(emu, { credentials: new kmskit.AccessKey(emu.access_key_id, 'wrong-SENTINEL-secret') })
  const err = await bad.encrypt(keyId, Buffer.from('x')).then(() => assert.fail('resolved'), (e) => e)
  assert.ok(err instanceof kmskit.AuthenticationError)
  assert.equal(err.code, 'AuthenticationFailed')
  assert.equal(err.kmsCode, 3101)
  assert.equal(err.kind, 'Authentication')
  assert.equal(err.serviceCode, 'SignatureDoesNotMatch')
  assert.equal(err.retryable, false)
  const shown = require('node:util').inspect(err) + JSON.stringify(err)
  assert.ok(!shown.includes('SENTINEL'))
})

test('bad options are Configuration errors thrown by the constructor', () => {
  const ak = new kmskit.AccessKey('id', 'secret')
  const cases = [
    {},
    { endpoint: 'ftp://127.0.0.1:1' },
    { endpoint: 'http://' },
    { region: 'cn-hangzhou', gateway: 'nowhere' },
    { region: 'cn-hangzhou', signatureVersion: 'v9' },
    { region: 'cn-hangzhou', readTimeoutMs: -1 },
    { region: 'cn-hangzhou', connectTimeoutMs: 1.5 },
    { region: 'cn-hangzhou', maxAttempts: 0 },
    { region: 'cn-hangzhou', caPem: 'not a certificate' },
    { region: 'cn-hangzhou', caFile: '/nonexistent/ca.pem' },
  ]
  for (const opts of cases) {
    assert.throws(() => new kmskit.Client({ ...opts, credentials: ak }), (e) =>
      e instanceof kmskit.ConfigurationError && e.kmsCode === 1101 && e.code === 'InvalidConfiguration' &&
      e.kind === 'Configuration' && e.httpStatus === null && e.requestId === null, JSON.stringify(opts))
  }
})

test('options of the wrong type are TypeErrors', () => {
  assert.throws(() => new kmskit.Client({ region: 'x', readTimeoutMS: 5 }), TypeError)
  assert.throws(() => new kmskit.Client({ region: 'x', credentials: { accessKeyId: 'a', accessKeySecret: 'b' } }), TypeError)
  assert.throws(() => new kmskit.Client('cn-hangzhou'), TypeError)
  assert.throws(() => new kmskit.Client({ region: 42 }), TypeError)
})

test('the good options build a client', () => {
  const ak = new kmskit.AccessKey('id', 'secret')
  assert.ok(new kmskit.Client({ region: 'cn-hangzhou', credentials: ak }))
  assert.ok(new kmskit.Client({ region: 'cn-hangzhou', gateway: 'vpc', credentials: ak }))
  assert.ok(new kmskit.Client({ region: 'cn-hangzhou', instanceId: 'kst-hzz123', credentials: ak }))
  assert.ok(new kmskit.Client({
    endpoint: emu.endpoint, connectTimeoutMs: 1000, readTimeoutMs: 2000, maxAttempts: 1,
    userAgentSuffix: 'node-test', signatureVersion: 'acs3', credentials: null,
  }))
})

test('a closed port is a Network error', async () => {
  const srv = net.createServer()
  await new Promise((r) => srv.listen(0, '127.0.0.1', r))
  const port = srv.address().port
  await new Promise((r) => srv.close(r))
  const dead = client(emu, { endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 })
  const err = await dead.encrypt(keyId, Buffer.from('x')).then(() => assert.fail('resolved'), (e) => e)
  assert.ok(err instanceof kmskit.NetworkError, String(err))
  assert.equal(err.kind, 'Network')
  assert.equal(err.code, 'ConnectFailed')
  assert.equal(err.kmsCode, 2001)
  assert.equal(err.retryable, true)
  assert.equal(err.httpStatus, null)
})

test('a delayed answer beyond readTimeoutMs is a Timeout', async () => {
  await admin(emu, 'POST', '/_emulator/faults', { kind: 'delay', action: 'Encrypt', count: 1, delay_ms: 3000 })
  const slow = client(emu, { readTimeoutMs: 200, maxAttempts: 1 })
  const started = Date.now()
  const err = await slow.encrypt(keyId, Buffer.from('x')).then(() => assert.fail('resolved'), (e) => e)
  const elapsed = Date.now() - started
  assert.ok(err instanceof kmskit.KmsTimeoutError, String(err))
  assert.equal(err.kind, 'Timeout')
  assert.equal(err.code, 'ReadTimeout')
  assert.equal(err.kmsCode, 2102)
  assert.ok(elapsed < 2500, `took ${elapsed} ms`)
})

test('throttling is retried until it clears', async () => {
  await admin(emu, 'DELETE', '/_emulator/stats')
  await admin(emu, 'POST', '/_emulator/faults', { kind: 'throttling', action: 'Encrypt', count: 2 })
  const enc = await client(emu, { maxAttempts: 3 }).encrypt(keyId, Buffer.from('retry'))
  assert.ok(enc.ciphertextBlob)
  assert.equal(await requests(emu, 'Encrypt'), 3)
})

test('retries stop at maxAttempts and the last error is reported', async () => {
  await admin(emu, 'DELETE', '/_emulator/stats')
  await admin(emu, 'POST', '/_emulator/faults', { kind: 'throttling', action: 'Encrypt', count: 5 })
  const err = await client(emu, { maxAttempts: 2 }).encrypt(keyId, Buffer.from('x')).then(
    () => assert.fail('resolved'), (e) => e)
  assert.ok(err instanceof kmskit.ThrottlingError, String(err))
  assert.equal(err.code, 'Throttled')
  assert.equal(err.kmsCode, 3001)
  assert.equal(err.serviceCode, 'Throttling')
  assert.equal(err.retryable, true)
  assert.equal(await requests(emu, 'Encrypt'), 2)
})

test('maxAttempts 1 means no retry; 503 is a retryable Service error', async () => {
  await admin(emu, 'DELETE', '/_emulator/stats')
  await admin(emu, 'POST', '/_emulator/faults', { kind: 'error', action: 'Encrypt', count: 1, status: 503 })
  const err = await client(emu, { maxAttempts: 1 }).encrypt(keyId, Buffer.from('x')).then(
    () => assert.fail('resolved'), (e) => e)
  assert.ok(err instanceof kmskit.ServiceError, String(err))
  assert.equal(err.code, 'ServiceUnavailable')
  assert.equal(err.kmsCode, 3502)
  assert.equal(err.httpStatus, 503)
  assert.equal(err.retryable, true)
  assert.equal(await requests(emu, 'Encrypt'), 1)
  // The same fault with retries allowed: the second attempt succeeds.
  await admin(emu, 'POST', '/_emulator/faults', { kind: 'error', action: 'Decrypt', count: 1, status: 503 })
  const enc = await c.encrypt(keyId, Buffer.from('after 503'))
  assert.deepEqual((await c.decrypt(enc.ciphertextBlob)).plaintext, Buffer.from('after 503'))
})

test('a dropped connection on an idempotent call is retried', async () => {
  await admin(emu, 'DELETE', '/_emulator/stats')
  await admin(emu, 'POST', '/_emulator/faults', { kind: 'drop', action: 'GenerateDataKey', count: 1 })
  // A fresh client: its first connection is new, so the drop is a lost connection (retried,
  // signed anew), not a stale pooled connection.
  const dk = await client(emu).generateDataKey(keyId)
  assert.equal(dk.plaintext.length, 32)
  assert.equal(await requests(emu, 'GenerateDataKey'), 2)
})

test('KmsError can be made and caught by users too', () => {
  const e = new kmskit.NotFoundError('gone', { code: 'ResourceNotFound', kmsCode: 3301, kind: 'NotFound' })
  assert.ok(e instanceof kmskit.KmsError && e instanceof Error)
  assert.equal(e.name, 'NotFoundError')
  assert.equal(e.kmsCode, 3301)
  assert.equal(e.requestId, null)
})

// When the server drops a pooled keep-alive connection after reading a request, the core signs
// the request anew (a fresh nonce) for the new connection: the server recorded the first nonce.
test('a dropped pooled connection is resent with a fresh signature', async () => {
  const pooled = client(emu)
  await pooled.encrypt(keyId, Buffer.from('warm the pool'))
  await admin(emu, 'POST', '/_emulator/faults', { kind: 'drop', action: 'GenerateDataKey', count: 1 })
  const dk = await pooled.generateDataKey(keyId)
  assert.equal(dk.plaintext.length, 32)
})
