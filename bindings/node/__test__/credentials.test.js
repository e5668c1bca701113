'use strict'
// Every credentials type against the emulator's KMS, STS and ECS metadata listeners: the ECS
// role, role ARNs (static and chained sources), OIDC with a JWKS made here, a credentials URI
// served here, CLI and ini profiles, the default chain from the environment, and user functions
// (cached, failing, malformed). Secrets never show in objects or errors.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const http = require('node:http')
const os = require('node:os')
const path = require('node:path')
const util = require('node:util')
const { kmskit, startEmulator, stopEmulator, createKey, requests } = require('./helpers')

const ROLE_ARN = 'acs:ram::1234567890123456:role/kmskit-node'
const OIDC_PROVIDER_ARN = 'acs:ram::1234567890123456:oidc-provider/kmskit-node'
const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
const KID = 'kmskit-node-test'

let emu
let dir
let keyId
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kmskit-node-cred-'))
  const jwks = path.join(dir, 'jwks.json')
  fs.writeFileSync(jwks, JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }] }))
  emu = await startEmulator(['--oidc-jwks', jwks, '--oidc-provider-arn', OIDC_PROVIDER_ARN])
  keyId = await createKey(clientWith(new kmskit.AccessKey(emu.access_key_id, emu.access_key_secret)))
})
after(async () => {
  await stopEmulator(emu)
  fs.rmSync(dir, { recursive: true, force: true })
})

function clientWith(credentials) {
  return new kmskit.Client({ endpoint: emu.endpoint, region: emu.region, credentials })
}

async function roundtrip(c) {
  const r = await c.encrypt(keyId, Buffer.from('hello'))
  const d = await c.decrypt(r.ciphertextBlob)
  assert.equal(d.plaintext.toString(), 'hello')
}

const b64url = (b) => Buffer.from(b).toString('base64url')
function jwt() {
  const now = Math.floor(Date.now() / 1000)
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: KID }))
  const body = b64url(JSON.stringify({ iss: 'https://oidc.kmskit.test', sub: 'system:serviceaccount:test:app', aud: 'sts.aliyuncs.com', iat: now, exp: now + 600 }))
  const sig = crypto.sign('sha256', Buffer.from(`${head}.${body}`), privateKey)
  return `${head}.${body}.${b64url(sig)}`
}

test('the credentials types are the same as in every face', () => {
  assert.deepEqual(kmskit.credentialsTypes(), [
    'AccessKey', 'StsToken', 'EcsRamRole', 'RamRoleArn', 'OidcRoleArn', 'CredentialsUri', 'CliProfile', 'IniProfile', 'DefaultChain',
  ])
  for (const name of kmskit.credentialsTypes()) assert.equal(typeof kmskit[name], 'function', name)
})

test('StsToken takes an optional Date expiration', () => {
  const t = new kmskit.StsToken('STS.id', 'secret-value', 'token-value', new Date(Date.now() + 3600e3))
  assert.equal(t.accessKeyId, 'STS.id')
  assert.doesNotMatch(util.inspect(t), /secret-value|token-value/)
  assert.throws(() => new kmskit.StsToken('STS.id', 's', 't', '2030-01-01'), TypeError)
})

test('EcsRamRole from the emulator metadata service', async () => {
  const before = await requests(emu, 'AssumeRole')
  const c = clientWith(new kmskit.EcsRamRole({ metadataEndpoint: emu.metadata_endpoint, roleName: emu.metadata_role_name }))
  await roundtrip(c)
  await roundtrip(clientWith(new kmskit.EcsRamRole({ metadataEndpoint: emu.metadata_endpoint, disableImdsV1: true })))
  assert.equal(await requests(emu, 'AssumeRole'), before)
})

test('RamRoleArn with an AccessKey source, chained twice, and refused with a wrong secret', async () => {
  const source = new kmskit.AccessKey(emu.access_key_id, emu.access_key_secret)
  const first = new kmskit.RamRoleArn({ source, roleArn: ROLE_ARN, roleSessionName: 'node', stsEndpoint: emu.sts_endpoint, durationSeconds: 900 })
  assert.equal(util.inspect(first), 'RamRoleArn {}')
  const c = clientWith(first)
  await Promise.all([roundtrip(c), roundtrip(c), roundtrip(c)])
  const second = new kmskit.RamRoleArn({ source: first, roleArn: 'acs:ram::1234567890123456:role/second', stsEndpoint: emu.sts_endpoint })
  await roundtrip(clientWith(second))
  // a user function as the source
  const fromFn = new kmskit.RamRoleArn({
    source: async () => ({ accessKeyId: emu.access_key_id, accessKeySecret: emu.access_key_secret }),
    roleArn: ROLE_ARN,
    stsEndpoint: emu.sts_endpoint,
  })
  await roundtrip(clientWith(fromFn))

  const wrong = new kmskit.RamRoleArn({ source: new kmskit.AccessKey(emu.access_key_id, 'wrong-secret-for-sts'), roleArn: ROLE_ARN, stsEndpoint: emu.sts_endpoint })
  await assert.rejects(clientWith(wrong).encrypt(keyId, 'x'), (e) => {
    assert.ok(e instanceof kmskit.CredentialsError, e.stack)
    assert.equal(e.kmsCode, 1201)
    assert.doesNotMatch(e.message, /wrong-secret-for-sts/)
    return true
  })
  assert.throws(() => new kmskit.RamRoleArn({ source, roleArn: ROLE_ARN, durationSeconds: 60 }), kmskit.ConfigurationError)
  assert.throws(() => new kmskit.RamRoleArn({ roleArn: ROLE_ARN }), TypeError)
  assert.throws(() => new kmskit.RamRoleArn({ source: {}, roleArn: ROLE_ARN }), TypeError)
})

test('OidcRoleArn with a token signed here and a JWKS given to the emulator', async () => {
  const tokenFile = path.join(dir, 'oidc-token')
  fs.writeFileSync(tokenFile, jwt())
  const before = await requests(emu, 'AssumeRoleWithOIDC')
  const c = clientWith(new kmskit.OidcRoleArn({
    roleArn: ROLE_ARN, oidcProviderArn: OIDC_PROVIDER_ARN, oidcTokenFile: tokenFile, roleSessionName: 'node-oidc', stsEndpoint: emu.sts_endpoint,
  }))
  await roundtrip(c)
  await roundtrip(c)
  assert.equal(await requests(emu, 'AssumeRoleWithOIDC'), before + 1)

  const bad = path.join(dir, 'bad-token')
  fs.writeFileSync(bad, 'not.a.jwt')
  await assert.rejects(
    clientWith(new kmskit.OidcRoleArn({ roleArn: ROLE_ARN, oidcProviderArn: OIDC_PROVIDER_ARN, oidcTokenFile: bad, stsEndpoint: emu.sts_endpoint })).encrypt(keyId, 'x'),
    kmskit.CredentialsError,
  )
})

test('CredentialsUri served by a local HTTP server', async () => {
  let hits = 0
  let body = {
    Code: 'Success', AccessKeyId: emu.access_key_id, AccessKeySecret: emu.access_key_secret,
    Expiration: new Date(Date.now() + 3600e3).toISOString().replace(/\.\d+Z$/, 'Z'),
  }
  const server = http.createServer((req, res) => {
    hits++
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(body))
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  try {
    const url = `http://127.0.0.1:${server.address().port}/credentials?token=t0k3n`
    const c = clientWith(new kmskit.CredentialsUri(url))
    await roundtrip(c)
    await roundtrip(c)
    assert.equal(hits, 1)
    body = { Code: 'Failure', Message: 'no credentials for you' }
    await assert.rejects(clientWith(new kmskit.CredentialsUri(url)).encrypt(keyId, 'x'), (e) => e instanceof kmskit.CredentialsError && e.kmsCode === 1201)
    assert.throws(() => new kmskit.CredentialsUri('not a url'), kmskit.KmsError)
  } finally {
    server.close()
  }
})

test('CliProfile: an AK profile and a RamRoleArn profile', async () => {
  const config = path.join(dir, 'config.json')
  fs.writeFileSync(config, JSON.stringify({
    current: 'ak',
    profiles: [
      { name: 'ak', mode: 'AK', access_key_id: emu.access_key_id, access_key_secret: emu.access_key_secret, region_id: 'cn-hangzhou' },
      { name: 'role', mode: 'RamRoleArn', access_key_id: emu.access_key_id, access_key_secret: emu.access_key_secret, ram_role_arn: ROLE_ARN, ram_session_name: 'node-cli', region_id: 'cn-hangzhou' },
      { name: 'odd', mode: 'Bearer' },
    ],
  }))
  await roundtrip(clientWith(new kmskit.CliProfile({ configFile: config })))
  const before = await requests(emu, 'AssumeRole')
  await roundtrip(clientWith(new kmskit.CliProfile({ profileName: 'role', configFile: config, stsEndpoint: emu.sts_endpoint })))
  assert.equal(await requests(emu, 'AssumeRole'), before + 1)
  await assert.rejects(clientWith(new kmskit.CliProfile({ profileName: 'odd', configFile: config })).encrypt(keyId, 'x'), kmskit.CredentialsError)
})

test('IniProfile: access_key and ram_role_arn sections', async () => {
  const ini = path.join(dir, 'credentials.ini')
  fs.writeFileSync(ini, `[default]
type = access_key
access_key_id = ${emu.access_key_id}
access_key_secret = ${emu.access_key_secret}

[role]
type = ram_role_arn
access_key_id = ${emu.access_key_id}
access_key_secret = ${emu.access_key_secret}
role_arn = ${ROLE_ARN}
role_session_name = node-ini
`)
  await roundtrip(clientWith(new kmskit.IniProfile({ credentialsFile: ini })))
  await roundtrip(clientWith(new kmskit.IniProfile({ profileName: 'role', credentialsFile: ini, stsEndpoint: emu.sts_endpoint })))
  await assert.rejects(clientWith(new kmskit.IniProfile({ profileName: 'missing', credentialsFile: ini })).encrypt(keyId, 'x'), kmskit.CredentialsError)
})

const ENV = [
  'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN', 'ALIBABA_CLOUD_ROLE_ARN',
  'ALIBABA_CLOUD_OIDC_PROVIDER_ARN', 'ALIBABA_CLOUD_OIDC_TOKEN_FILE', 'ALIBABA_CLOUD_PROFILE', 'ALIBABA_CLOUD_CONFIG_FILE',
  'ALIBABA_CLOUD_CREDENTIALS_FILE', 'ALIBABA_CLOUD_CREDENTIALS_URI', 'ALIBABA_CLOUD_ECS_METADATA', 'ALIBABA_CLOUD_ECS_METADATA_DISABLED',
  'ALIBABA_CLOUD_CLI_PROFILE_DISABLED', 'HOME',
]
async function withEnv(vars, fn) {
  const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]))
  for (const k of ENV) delete process.env[k]
  Object.assign(process.env, { HOME: path.join(dir, 'empty-home'), ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' }, vars)
  try {
    return await fn()
  } finally {
    for (const k of ENV) {
      if (saved[k] === undefined) delete process.env[k]
      else process.env[k] = saved[k]
    }
  }
}

test('DefaultChain: the environment, the metadata service, and nothing configured (1203)', async () => {
  await withEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: emu.access_key_id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.access_key_secret }, async () => {
    await roundtrip(clientWith(new kmskit.DefaultChain()))
    // no credentials at all: the client uses the default chain too
    await roundtrip(new kmskit.Client({ endpoint: emu.endpoint, region: emu.region }))
  })
  await withEnv({ ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'false' }, async () => {
    await roundtrip(clientWith(new kmskit.DefaultChain({ metadataEndpoint: emu.metadata_endpoint, stsEndpoint: emu.sts_endpoint })))
  })
  await withEnv({}, async () => {
    await assert.rejects(clientWith(new kmskit.DefaultChain()).encrypt(keyId, 'x'), (e) => {
      assert.ok(e instanceof kmskit.CredentialsError)
      assert.equal(e.kmsCode, 1203)
      assert.equal(e.code, 'CredentialsNotConfigured')
      return true
    })
  })
})

test('a user async function: called once for many calls (cached, single flight)', async () => {
  let calls = 0
  const c = clientWith(async () => {
    calls++
    await new Promise((r) => setTimeout(r, 20))
    return { accessKeyId: emu.access_key_id, accessKeySecret: emu.access_key_secret, expiration: new Date(Date.now() + 3600e3) }
  })
  await Promise.all(Array.from({ length: 10 }, () => roundtrip(c)))
  assert.equal(calls, 1)
})

test('a user function may be synchronous', async () => {
  await roundtrip(clientWith(() => ({ accessKeyId: emu.access_key_id, accessKeySecret: emu.access_key_secret })))
})

test('a failing user function is a CredentialsError 1201 without secrets', async () => {
  const c = clientWith(async () => { throw new RangeError('vault is sealed') })
  await assert.rejects(c.encrypt(keyId, 'x'), (e) => {
    assert.ok(e instanceof kmskit.CredentialsError, String(e))
    assert.equal(e.kmsCode, 1201)
    assert.equal(e.code, 'CredentialsUnavailable')
    assert.match(e.message, /RangeError: vault is sealed/)
    return true
  })
  const malformed = clientWith(async () => ({ accessKeyId: 'id-only', secret: 'top-secret-value' }))
  await assert.rejects(malformed.encrypt(keyId, 'x'), (e) => {
    assert.equal(e.kmsCode, 1201)
    assert.doesNotMatch(e.message, /top-secret-value/)
    return true
  })
  const unknown = clientWith(async () => ({ accessKeyId: 'LTAI-unknown', accessKeySecret: 'nope' }))
  await assert.rejects(unknown.encrypt(keyId, 'x'), kmskit.AuthenticationError)
})

test('credentials of the wrong type are refused', () => {
  assert.throws(() => new kmskit.Client({ region: 'cn-hangzhou', credentials: { accessKeyId: 'a' } }), TypeError)
  assert.throws(() => new kmskit.Client({ region: 'cn-hangzhou', credentials: 'LTAI' }), TypeError)
})
