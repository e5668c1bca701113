'use strict'
// The dedicated gateway: ClientKey loading, every Instance API operation against the emulator's
// TLS listener, routing between the shared and dedicated gateways, TLS and ClientKey errors.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const util = require('node:util')
const { kmskit, REPO, startEmulator, stopEmulator, requests } = require('./helpers')

const SHARED = process.env.KMSKIT_SHARED_DIR || path.resolve(REPO, '../shared')
let emu
let dir
let key
let password
const keys = {}
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmskit-node-ck-'))
  emu = await startEmulator(['--client-key-out', dir])
  key = kmskit.ClientKey.fromFile(emu.client_key_file, { passwordFile: emu.client_key_password_file })
  password = fs.readFileSync(emu.client_key_password_file, 'utf8').trim()
  const c = dedicated()
  const create = async (params) => (await c.call('CreateKey', params)).KeyMetadata.KeyId
  keys.aes = await create({ KeySpec: 'Aliyun_AES_256' })
  keys.rsaSign = await create({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN/VERIFY' })
  keys.ecSign = await create({ KeySpec: 'EC_P256', KeyUsage: 'SIGN/VERIFY' })
})
after(async () => {
  await stopEmulator(emu)
  fs.rmSync(dir, { recursive: true, force: true })
})

/** One client on the emulator's HTTPS listener: RAM calls and the Instance API both go there. */
function dedicated(extra = {}) {
  return new kmskit.Client({
    endpoint: emu.dedicated_endpoint,
    credentials: new kmskit.AccessKey(emu.access_key_id, emu.access_key_secret),
    clientKey: key,
    caFile: emu.dedicated_ca_file,
    ...extra,
  })
}

test('every Instance API operation is an instance method (camelCase)', () => {
  const ops = kmskit.coreInstanceOperations()
  assert.equal(ops.length, 15)
  const camel = (s) => s[0].toLowerCase() + s.slice(1)
  const own = Object.getOwnPropertyNames(kmskit.InstanceClient.prototype)
    .filter((n) => typeof Object.getOwnPropertyDescriptor(kmskit.InstanceClient.prototype, n).value === 'function' && n !== 'constructor')
  assert.deepEqual(own.sort(), ops.map(camel).sort())
})

test('ClientKey loading: file with password/passwordFile/passwordEnv, JSON, PEM; nothing secret shown', () => {
  assert.match(key.keyId, /^KAAP\./)
  assert.ok(emu.client_key_file.includes(key.keyId))
  assert.equal(util.inspect(key), `ClientKey { keyId: ${JSON.stringify(key.keyId)} }`)
  assert.deepEqual(Object.keys(key), [])
  assert.equal(kmskit.ClientKey.fromFile(emu.client_key_file, { password }).keyId, key.keyId)
  const text = fs.readFileSync(emu.client_key_file, 'utf8')
  assert.equal(kmskit.ClientKey.fromJson(text, { password }).keyId, key.keyId)
  process.env.KMSKIT_NODE_CK_PASSWORD = password
  try {
    assert.equal(kmskit.ClientKey.fromFile(emu.client_key_file, { passwordEnv: 'KMSKIT_NODE_CK_PASSWORD' }).keyId, key.keyId)
  } finally {
    delete process.env.KMSKIT_NODE_CK_PASSWORD
  }
  const pem = fs.readFileSync(path.join(SHARED, 'testdata/clientkey/clientkey_private.pem'), 'utf8')
  assert.equal(kmskit.ClientKey.fromPrivateKeyPem('KAAP.test', pem).keyId, 'KAAP.test')
  assert.throws(() => new kmskit.ClientKey(), TypeError)
})

test('ClientKey errors: wrong password and unreadable file are 1202', () => {
  assert.throws(() => kmskit.ClientKey.fromFile(emu.client_key_file, { password: 'not-the-password' }), (e) => {
    assert.ok(e instanceof kmskit.CredentialsError)
    assert.equal(e.kmsCode, 1202)
    assert.equal(e.code, 'ClientKeyInvalid')
    assert.match(e.message, /password is wrong/)
    assert.doesNotMatch(e.message, /not-the-password/)
    return true
  })
  assert.throws(() => kmskit.ClientKey.fromFile('/nonexistent/clientKey.json', { password: 'pw' }), (e) => e.kmsCode === 1202)
  assert.throws(() => kmskit.ClientKey.fromPrivateKeyPem('KAAP.x', 'garbage'), (e) => e.kmsCode === 1202)
  assert.throws(() => kmskit.ClientKey.fromFile(emu.client_key_file, { password: 'a', passwordEnv: 'B' }), kmskit.ConfigurationError)
})

test('encrypt/decrypt and advance round trips', async () => {
  const inst = dedicated().instance
  assert.equal(inst.clientKeyId, key.keyId)
  const aad = Buffer.from('context')
  const e = await inst.encrypt(keys.aes, Buffer.from('hello dedicated'), { aad })
  assert.ok(Buffer.isBuffer(e.ciphertextBlob) && Buffer.isBuffer(e.iv))
  assert.equal(e.keyId, keys.aes)
  assert.ok(e.algorithm && e.requestId)
  const d = await inst.decrypt(keys.aes, e.ciphertextBlob, { iv: e.iv, aad, algorithm: e.algorithm })
  assert.equal(d.plaintext.toString(), 'hello dedicated')
  assert.equal(d.keyVersionId, '')
  assert.doesNotMatch(util.inspect(d), /hello dedicated/)
  assert.doesNotMatch(JSON.stringify(d), /plaintext/)

  const ae = await inst.advanceEncrypt(keys.aes, 'advance text')
  assert.ok(ae.keyVersionId)
  const ad = await inst.advanceDecrypt(ae.ciphertextBlob)
  assert.equal(ad.plaintext.toString(), 'advance text')
  assert.equal(ad.keyVersionId, ae.keyVersionId)
  const ad2 = await inst.advanceDecrypt(ae.ciphertextBlob, { keyId: keys.aes })
  assert.equal(ad2.plaintext.toString(), 'advance text')
})

test('sign/verify (RSA and EC), random, public key', async () => {
  const inst = dedicated().instance
  for (const [k, alg] of [[keys.rsaSign, 'RSA_PKCS1_SHA_256'], [keys.ecSign, 'ECDSA_SHA_256']]) {
    const s = await inst.sign(k, alg, Buffer.from('message to sign'), { messageType: 'RAW' })
    assert.ok(Buffer.isBuffer(s.signature) && s.signature.length > 0)
    assert.equal(s.keyId, k)
    assert.equal((await inst.verify(k, alg, Buffer.from('message to sign'), s.signature, { messageType: 'RAW' })).value, true)
    assert.equal((await inst.verify(k, alg, Buffer.from('another message'), s.signature)).value, false)
    const pk = await inst.getPublicKey(k)
    assert.match(pk.publicKey, /BEGIN PUBLIC KEY/)
    const digestOk = crypto.verify(alg.startsWith('RSA') ? 'sha256' : 'sha256', Buffer.from('message to sign'), pk.publicKey, s.signature)
    assert.ok(digestOk, alg)
  }
  const r = await inst.generateRandom(32)
  assert.equal(r.random.length, 32)
  assert.deepEqual(Object.keys(r), ['requestId'])
})

test('data keys and data key pairs', async () => {
  const inst = dedicated().instance
  const dk = await inst.generateDataKey(keys.aes, { numberOfBytes: 32, aad: Buffer.from('dk') })
  assert.equal(dk.plaintext.length, 32)
  assert.ok(!Object.keys(dk).includes('plaintext'))
  const back = await inst.decrypt(keys.aes, dk.ciphertextBlob, { iv: dk.iv, aad: Buffer.from('dk'), algorithm: dk.algorithm })
  assert.ok(back.plaintext.equals(dk.plaintext))
  const adk = await inst.advanceGenerateDataKey(keys.aes, { numberOfBytes: 16 })
  assert.equal(adk.plaintext.length, 16)
  assert.ok(adk.keyVersionId)

  const pair = await inst.generateDataKeyPair(keys.aes, 'RSA_2048', { aad: Buffer.from('pair') })
  assert.equal(pair.keyPairSpec, 'RSA_2048')
  assert.ok(pair.privateKeyPlaintext.length > 0 && pair.publicKey.length > 0 && pair.privateKeyCiphertextBlob.length > 0)
  assert.ok(!Object.keys(pair).includes('privateKeyPlaintext'))
  const adv = await inst.advanceGenerateDataKeyPair(keys.aes, 'EC_P256', { keyFormat: 'DER' })
  assert.equal(adv.keyPairSpec, 'EC_P256')
  const bare = await inst.generateDataKeyPairWithoutPlaintext(keys.aes, 'RSA_2048')
  assert.ok(bare.publicKey.length > 0 && !('privateKeyPlaintext' in bare))
  const abare = await inst.advanceGenerateDataKeyPairWithoutPlaintext(keys.aes, 'RSA_2048', { keyFormat: 'PEM' })
  assert.match(abare.publicKey.toString(), /BEGIN/)
})

test('getSecretValue keeps secretData out of print', async () => {
  const c = dedicated()
  const name = `node-dedicated-${Date.now()}`
  await c.call('CreateSecret', { SecretName: name, SecretData: 'dedicated-secret-value', VersionId: 'v1' })
  const s = await c.instance.getSecretValue(name, { versionStage: 'ACSCurrent' })
  assert.equal(s.secretData, 'dedicated-secret-value')
  assert.equal(s.secretName, name)
  assert.doesNotMatch(util.inspect(s), /dedicated-secret-value/)
  assert.doesNotMatch(JSON.stringify(s), /dedicated-secret-value/)
  await assert.rejects(c.instance.getSecretValue(`${name}-missing`), kmskit.NotFoundError)
})

test('routing: the data plane goes to the Instance API, call() and the shared view stay on RAM auth', async () => {
  const c = new kmskit.Client({
    endpoint: emu.endpoint,
    region: emu.region,
    credentials: new kmskit.AccessKey(emu.access_key_id, emu.access_key_secret),
    instanceEndpoint: emu.dedicated_endpoint,
    clientKey: key,
    caFile: emu.dedicated_ca_file,
  })
  assert.equal(c.instance.endpoint.replace(/\/$/, ''), emu.dedicated_endpoint.replace(/\/$/, ''))
  const adv = await requests(emu, 'AdvanceEncrypt')
  const enc = await requests(emu, 'Encrypt')
  const blob = (await c.encrypt(keys.aes, 'routed')).ciphertextBlob
  assert.equal(await requests(emu, 'AdvanceEncrypt'), adv + 1)
  assert.equal(await requests(emu, 'Encrypt'), enc)
  assert.equal((await c.decrypt(blob)).plaintext.toString(), 'routed')
  const created = await c.call('CreateKey', { KeySpec: 'Aliyun_AES_256' })
  assert.match(created.KeyMetadata.KeyId, /^key-/)

  const shared = c.withRoute('shared')
  assert.ok(shared instanceof kmskit.Client)
  assert.equal(c.route, 'auto')
  assert.equal(shared.route, 'shared')
  assert.equal(c.withRoute('dedicated').route, 'dedicated')
  const sharedBlob = (await shared.encrypt(keys.aes, 'shared')).ciphertextBlob
  assert.equal(await requests(emu, 'Encrypt'), enc + 1)
  assert.equal((await shared.decrypt(sharedBlob)).plaintext.toString(), 'shared')
  assert.ok(c.withRoute('dedicated') instanceof kmskit.Client)
  assert.throws(() => c.withRoute('sideways'), kmskit.ConfigurationError)

  const pinned = new kmskit.Client({
    endpoint: emu.endpoint, region: emu.region, credentials: new kmskit.AccessKey(emu.access_key_id, emu.access_key_secret),
    instanceEndpoint: emu.dedicated_endpoint, clientKey: key, caFile: emu.dedicated_ca_file, route: 'shared',
  })
  assert.equal(pinned.route, 'shared')
  await pinned.encrypt(keys.aes, 'pinned')
  assert.equal(await requests(emu, 'Encrypt'), enc + 2)
  assert.throws(() => new kmskit.Client({ region: 'cn-hangzhou', route: 'dedicated', credentials: new kmskit.AccessKey('a', 'b') }), kmskit.ConfigurationError)
  assert.throws(() => new kmskit.Client({ region: 'cn-hangzhou', route: 'sideways', credentials: new kmskit.AccessKey('a', 'b') }), kmskit.ConfigurationError)
  assert.throws(() => new kmskit.Client({ region: 'cn-hangzhou', credentials: new kmskit.AccessKey('a', 'b') }).instance, kmskit.ConfigurationError)
  assert.throws(() => new kmskit.Client({ region: 'cn-hangzhou', clientKey: {} }), TypeError)
})

test('a wrong or missing CA is TlsFailed (2003), caPem works as caFile', async () => {
  const foreign = path.join(SHARED, 'testdata/clientkey/PrivateKmsCA_kst-test0000000000000000.pem')
  for (const extra of [{ caFile: undefined }, { caFile: foreign }]) {
    await assert.rejects(dedicated({ ...extra, maxAttempts: 3 }).instance.generateRandom(8), (e) => {
      assert.ok(e instanceof kmskit.NetworkError, String(e))
      assert.equal(e.kmsCode, 2003)
      assert.equal(e.code, 'TlsFailed')
      assert.equal(e.retryable, false)
      return true
    })
  }
  const caPem = fs.readFileSync(emu.dedicated_ca_file)
  const r = await dedicated({ caFile: undefined, caPem }).instance.generateRandom(8)
  assert.equal(r.random.length, 8)
})

test('an unknown ClientKey is refused by the gateway', async () => {
  const pem = fs.readFileSync(path.join(SHARED, 'testdata/clientkey/clientkey_private.pem'), 'utf8')
  const stranger = kmskit.ClientKey.fromPrivateKeyPem('KAAP.unknown-to-the-emulator', pem)
  await assert.rejects(dedicated({ clientKey: stranger }).instance.encrypt(keys.aes, 'x'), kmskit.AuthenticationError)
})
