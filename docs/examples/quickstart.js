// The quickstart demo with kmskit's Node face: a key, encrypt/decrypt with a context, a data key,
// a secret stored and read back, and a typed error. Run by scripts/quickstart against the emulator
// (KMSKIT_ENDPOINT and the ALIBABA_CLOUD_ACCESS_KEY_* variables).
'use strict'
const path = require('node:path')
const assert = require('node:assert')
const { Client, KmsError } = require(path.resolve(__dirname, '../../bindings/node'))

async function main () {
  const client = new Client({ endpoint: process.env.KMSKIT_ENDPOINT, region: 'cn-hangzhou' }) // keys from the environment

  const keyId = (await client.call('CreateKey', { KeySpec: 'Aliyun_AES_256' })).KeyMetadata.KeyId
  const encryptionContext = { app: 'quickstart-node' }
  const enc = await client.encrypt(keyId, Buffer.from('hello from Node'), { encryptionContext })
  const dec = await client.decrypt(enc.ciphertextBlob, { encryptionContext })
  console.log(`node: encrypted under ${enc.keyId}, decrypted '${dec.plaintext.toString()}'`)

  const dk = await client.generateDataKey(keyId, { numberOfBytes: 32 })
  assert.deepStrictEqual((await client.decrypt(dk.ciphertextBlob)).plaintext, dk.plaintext)
  console.log(`node: data key of ${dk.plaintext.length} bytes, wrapped as ${dk.ciphertextBlob.slice(0, 24)}...`)

  await client.call('CreateSecret', { SecretName: 'quickstart/node', SecretData: 's3cr3t', VersionId: 'v1' })
  console.log(`node: secret read back: '${(await client.getSecretValue('quickstart/node')).secretData}'`)

  try {
    await client.encrypt('alias/does-not-exist', Buffer.from('x'))
  } catch (e) {
    if (!(e instanceof KmsError)) throw e
    console.log(`node: unknown key -> ${e.name} ${e.kmsCode} ${e.serviceCode} (request id ${e.requestId})`)
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1 })
