'use strict'
// Every operation against the emulator: round trips, encryption contexts, data keys, secrets,
// call(), concurrency, and what results show when printed.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const { kmskit, startEmulator, stopEmulator, client, createKey } = require('./helpers')

let emu
let c
let keyId

before(async () => {
  emu = await startEmulator()
  c = client(emu)
  keyId = await createKey(c)
})
after(() => stopEmulator(emu))

test('encrypt then decrypt returns the plaintext and the key version', async () => {
  const enc = await c.encrypt(keyId, Buffer.from('hello kmskit'))
  assert.equal(typeof enc.ciphertextBlob, 'string')
  assert.ok(enc.ciphertextBlob.length > 0)
  assert.equal(enc.keyId, keyId)
  assert.ok(enc.keyVersionId)
  assert.ok(enc.requestId)
  const dec = await c.decrypt(enc.ciphertextBlob)
  assert.ok(Buffer.isBuffer(dec.plaintext))
  assert.deepEqual(dec.plaintext, Buffer.from('hello kmskit'))
  assert.equal(dec.keyId, keyId)
  assert.equal(dec.keyVersionId, enc.keyVersionId)
  assert.notEqual(dec.requestId, enc.requestId)
})

test('plaintext may be a Uint8Array, a string, or binary bytes', async () => {
  const bin = Buffer.from([0, 255, 1, 254, 128, 10, 13])
  for (const [input, expected] of [
    [new Uint8Array([1, 2, 3]), Buffer.from([1, 2, 3])],
    ['text é', Buffer.from('text é', 'utf8')],
    [bin, bin],
  ]) {
    const enc = await c.encrypt(keyId, input)
    assert.deepEqual((await c.decrypt(enc.ciphertextBlob)).plaintext, expected)
  }
  await assert.rejects(c.encrypt(keyId, 42), TypeError)
  await assert.rejects(c.encrypt(42, Buffer.from('x')), TypeError)
})

test('the encryption context must match on decrypt', async () => {
  const ctx = { tenant: 'a', purpose: 'test' }
  const enc = await c.encrypt(keyId, Buffer.from('ctx'), { encryptionContext: ctx })
  const ok = await c.decrypt(enc.ciphertextBlob, { encryptionContext: { tenant: 'a', purpose: 'test' } })
  assert.deepEqual(ok.plaintext, Buffer.from('ctx'))
  for (const wrong of [undefined, { tenant: 'b', purpose: 'test' }, { tenant: 'a' }]) {
    await assert.rejects(
      c.decrypt(enc.ciphertextBlob, wrong && { encryptionContext: wrong }),
      (e) => e instanceof kmskit.CryptoError && e.kind === 'Crypto' && e.kmsCode === 4001 && e.code === 'CryptoFailed',
    )
  }
})

test('encryption context values must be strings', async () => {
  await assert.rejects(
    c.encrypt(keyId, Buffer.from('x'), { encryptionContext: { n: 1 } }),
    (e) => e instanceof kmskit.InvalidArgumentError && e.kmsCode === 1001 && e.code === 'InvalidArgument',
  )
})

test('generateDataKey returns a data key that decrypt gives back', async () => {
  const dk = await c.generateDataKey(keyId)
  assert.ok(Buffer.isBuffer(dk.plaintext))
  assert.equal(dk.plaintext.length, 32)
  assert.equal(dk.keyId, keyId)
  assert.ok(dk.keyVersionId && dk.requestId && dk.ciphertextBlob)
  assert.deepEqual((await c.decrypt(dk.ciphertextBlob)).plaintext, dk.plaintext)

  assert.equal((await c.generateDataKey(keyId, { numberOfBytes: 24 })).plaintext.length, 24)
  assert.equal((await c.generateDataKey(keyId, { keySpec: 'AES_128' })).plaintext.length, 16)

  const ctx = { app: 'x' }
  const dkc = await c.generateDataKey(keyId, { numberOfBytes: 16, encryptionContext: ctx })
  assert.deepEqual((await c.decrypt(dkc.ciphertextBlob, { encryptionContext: ctx })).plaintext, dkc.plaintext)
  await assert.rejects(c.decrypt(dkc.ciphertextBlob), kmskit.CryptoError)
})

test('numberOfBytes must be a whole number', async () => {
  for (const n of [1.5, -1, Number.NaN]) {
    await assert.rejects(c.generateDataKey(keyId, { numberOfBytes: n }), kmskit.InvalidArgumentError)
  }
  await assert.rejects(c.generateDataKey(keyId, { numberOfBytes: 0 }), kmskit.KmsError)
})

test('generateDataKeyWithoutPlaintext returns only the encrypted key', async () => {
  const dk = await c.generateDataKeyWithoutPlaintext(keyId, { numberOfBytes: 16 })
  assert.deepEqual(Object.keys(dk).sort(), ['ciphertextBlob', 'keyId', 'keyVersionId', 'requestId'])
  assert.equal(dk.keyId, keyId)
  assert.equal((await c.decrypt(dk.ciphertextBlob)).plaintext.length, 16)
  const dk2 = await c.generateDataKeyWithoutPlaintext(keyId, { keySpec: 'AES_256', encryptionContext: { a: 'b' } })
  assert.equal((await c.decrypt(dk2.ciphertextBlob, { encryptionContext: { a: 'b' } })).plaintext.length, 32)
})

test('getSecretValue: current, by stage, by version id, extended config', async () => {
  await c.call('CreateSecret', { SecretName: 'node/db-pass', SecretData: 's3cret-one', VersionId: 'v1' })
  await c.call('PutSecretValue', { SecretName: 'node/db-pass', SecretData: 's3cret-two', VersionId: 'v2' })
  const cur = await c.getSecretValue('node/db-pass')
  assert.equal(cur.secretName, 'node/db-pass')
  assert.equal(cur.secretData, 's3cret-two')
  assert.equal(cur.versionId, 'v2')
  assert.ok(Array.isArray(cur.versionStages) && cur.versionStages.includes('ACSCurrent'))
  assert.equal(cur.secretDataType, 'text')
  assert.ok(cur.secretType && cur.createTime && cur.requestId)

  const prev = await c.getSecretValue('node/db-pass', { versionStage: 'ACSPrevious' })
  assert.equal(prev.secretData, 's3cret-one')
  assert.equal(prev.versionId, 'v1')
  assert.ok(prev.versionStages.includes('ACSPrevious'))

  const byId = await c.getSecretValue('node/db-pass', { versionId: 'v1' })
  assert.equal(byId.secretData, 's3cret-one')

  const ext = await c.getSecretValue('node/db-pass', { fetchExtendedConfig: true })
  assert.equal(ext.secretData, 's3cret-two')

  await assert.rejects(c.getSecretValue('node/missing'), (e) => e instanceof kmskit.NotFoundError && e.kmsCode === 3301)
})

test('call() sends JSON-like values and returns the body', async () => {
  const created = await c.call('CreateKey', { KeySpec: 'Aliyun_AES_256', Description: 'from node' })
  const id = created.KeyMetadata.KeyId
  assert.equal(typeof created.RequestId, 'string')
  const described = await c.call('DescribeKey', { KeyId: id })
  assert.equal(described.KeyMetadata.KeyId, id)
  assert.equal(described.KeyMetadata.Description, 'from node')
  // A number and a nested object (EncryptionContext goes on the wire as compact JSON).
  const dk = await c.call('GenerateDataKey', { KeyId: id, NumberOfBytes: 24, EncryptionContext: { k: 'v' } })
  assert.equal(Buffer.from(dk.Plaintext, 'base64').length, 24)
  const back = await c.decrypt(dk.CiphertextBlob, { encryptionContext: { k: 'v' } })
  assert.deepEqual(back.plaintext, Buffer.from(dk.Plaintext, 'base64'))
  // Without params, and with null.
  assert.ok(Array.isArray((await c.call('ListKeys')).Keys.Key))
  assert.ok((await c.call('ListKeys', null)).Keys)
  await assert.rejects(c.call('DescribeKey', { KeyId: 'key-none' }), kmskit.NotFoundError)
  // undefined is left out, as JSON.stringify does; values JSON has no form for are refused.
  await assert.rejects(c.call('DescribeKey', { KeyId: undefined }),
    (e) => e instanceof kmskit.InvalidArgumentError && e.serviceCode === 'MissingParameter')
  await assert.rejects(c.call('DescribeKey', { KeyId: () => 1 }), TypeError)
  await assert.rejects(c.call('DescribeKey', { KeyId: Symbol('x') }), TypeError)
})

test('the RPC signature (HMAC-SHA1) works too', async () => {
  const rpc = client(emu, { signatureVersion: 'rpc' })
  const enc = await rpc.encrypt(keyId, Buffer.from('rpc'))
  assert.deepEqual((await rpc.decrypt(enc.ciphertextBlob)).plaintext, Buffer.from('rpc'))
})

test('StsToken credentials are sent and accepted', async () => {
  const sts = new kmskit.Client({
    endpoint: emu.endpoint,
    region: emu.region,
    credentials: new kmskit.StsToken(emu.access_key_id, emu.access_key_secret, 'a-security-token'),
  })
  const enc = await sts.encrypt(keyId, Buffer.from('sts'))
  assert.deepEqual((await sts.decrypt(enc.ciphertextBlob)).plaintext, Buffer.from('sts'))
})

test('without credentials, the client uses the default chain, read when it is made', async () => {
  const names = ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN',
    'ALIBABA_CLOUD_ECS_METADATA_DISABLED', 'ALIBABA_CLOUD_CONFIG_FILE', 'ALIBABA_CLOUD_CREDENTIALS_FILE',
    'ALIBABA_CLOUD_CREDENTIALS_URI', 'ALIBABA_CLOUD_PROFILE', 'ALIBABA_CLOUD_ROLE_ARN', 'HOME']
  const saved = names.map((n) => process.env[n])
  try {
    for (const n of names) delete process.env[n]
    // Nothing configured: no environment keys, no profile files, no metadata service.
    process.env.HOME = '/nonexistent-kmskit-home'
    process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true'
    const none = new kmskit.Client({ endpoint: emu.endpoint, region: emu.region })
    await assert.rejects(none.encrypt(keyId, Buffer.from('x')),
      (e) => e instanceof kmskit.CredentialsError && e.kmsCode === 1203 && e.code === 'CredentialsNotConfigured')
    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = emu.access_key_id
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = emu.access_key_secret
    const envClient = new kmskit.Client({ endpoint: emu.endpoint, region: emu.region })
    const enc = await envClient.encrypt(keyId, Buffer.from('env'))
    assert.deepEqual((await envClient.decrypt(enc.ciphertextBlob)).plaintext, Buffer.from('env'))
  } finally {
    names.forEach((n, i) => { if (saved[i] === undefined) delete process.env[n]; else process.env[n] = saved[i] })
  }
})

test('50 concurrent encrypts on one client all succeed', async () => {
  const inputs = Array.from({ length: 50 }, (_, i) => Buffer.from(`message ${i}`))
  const encs = await Promise.all(inputs.map((p) => c.encrypt(keyId, p)))
  assert.equal(new Set(encs.map((e) => e.requestId)).size, 50)
  const decs = await Promise.all(encs.map((e) => c.decrypt(e.ciphertextBlob)))
  decs.forEach((d, i) => assert.deepEqual(d.plaintext, inputs[i]))
})

test('printed and serialised results show no secret but the plaintext Buffer', async () => {
  const plaintext = 'plain-SENTINEL-4711'
  const enc = await c.encrypt(keyId, Buffer.from(plaintext))
  const encShown = util.inspect(enc, { depth: 5 }) + JSON.stringify(enc)
  assert.ok(!encShown.includes(plaintext))
  assert.ok(!encShown.includes(Buffer.from(plaintext).toString('base64')))

  // A decrypt or data key result shows its plaintext only as the Buffer itself.
  const dec = await c.decrypt(enc.ciphertextBlob)
  const decShown = util.inspect(dec, { depth: 5 })
  assert.ok(!decShown.includes(plaintext))
  assert.ok(!decShown.includes(Buffer.from(plaintext).toString('base64')))
  const dk = await c.generateDataKey(keyId)
  const dkShown = util.inspect(dk, { depth: 5 })
  assert.ok(!dkShown.includes(dk.plaintext.toString('base64')))
  assert.ok(!dkShown.includes(dk.plaintext.toString('hex')))

  await c.call('CreateSecret', { SecretName: 'node/shown', SecretData: 'secret-SENTINEL-0815', VersionId: 'v1' })
  const s = await c.getSecretValue('node/shown')
  assert.equal(s.secretData, 'secret-SENTINEL-0815')
  for (const shown of [util.inspect(s, { depth: 5 }), JSON.stringify(s), String(s), `${Object.values(s)}`]) {
    assert.ok(!shown.includes('SENTINEL-0815'), shown)
  }

  const ak = new kmskit.AccessKey('LTAIshown', 'ak-secret-SENTINEL')
  const st = new kmskit.StsToken('LTAIshown', 'sts-secret-SENTINEL', 'token-SENTINEL')
  const cl = new kmskit.Client({ region: 'cn-hangzhou', credentials: ak })
  for (const o of [ak, st, cl]) {
    const shown = util.inspect(o, { depth: 5, showHidden: true }) + JSON.stringify(o)
    assert.ok(!shown.includes('SENTINEL'), shown)
  }
  assert.equal(ak.accessKeyId, 'LTAIshown')
  assert.equal(st.accessKeyId, 'LTAIshown')
})
