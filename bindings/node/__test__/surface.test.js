'use strict'
// The package's surface: parity with the core's operations, exports, version.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { kmskit, PACKAGE } = require('./helpers')

const camel = (s) => s.replace(/_([a-z])/g, (_, ch) => ch.toUpperCase())

test('every core operation is a Client method (camelCase)', () => {
  const ops = kmskit.coreOperations()
  assert.deepEqual(ops, [
    'encrypt', 'decrypt', 'generate_data_key', 'generate_data_key_without_plaintext', 'get_secret_value', 'call',
  ])
  for (const op of ops) {
    assert.equal(typeof kmskit.Client.prototype[camel(op)], 'function', `Client.${camel(op)}`)
  }
  // ...and the Client has no public method the core does not have.
  // (besides the Instance API accessor, the route and the route view of issue 6).
  const own = Object.getOwnPropertyNames(kmskit.Client.prototype).filter((n) => n !== 'constructor')
  assert.deepEqual(own.sort(), [...ops.map(camel), 'instance', 'route', 'withRoute'].sort())
})

test('every method returns a Promise, even for bad arguments', async () => {
  const c = new kmskit.Client({ region: 'cn-hangzhou', credentials: new kmskit.AccessKey('id', 's') })
  const p = c.encrypt(undefined, undefined)
  assert.ok(p instanceof Promise)
  await assert.rejects(p, TypeError)
})

test('exports', () => {
  for (const name of [
    'Client', 'AccessKey', 'StsToken', 'KmsError', 'ThrottlingError', 'AuthenticationError',
    'AuthorizationError', 'NotFoundError', 'InvalidArgumentError', 'NetworkError', 'KmsTimeoutError',
    'ServiceError', 'CredentialsError', 'ConfigurationError', 'CryptoError', 'InternalError', 'coreOperations',
    'coreInstanceOperations', 'credentialsTypes', 'ClientKey', 'InstanceClient', 'EcsRamRole', 'RamRoleArn',
    'OidcRoleArn', 'CredentialsUri', 'CliProfile', 'IniProfile', 'DefaultChain',
  ]) {
    assert.equal(typeof kmskit[name], 'function', name)
  }
  for (const name of Object.keys(kmskit).filter((n) => n.endsWith('Error'))) {
    assert.ok(kmskit[name] === kmskit.KmsError || kmskit[name].prototype instanceof kmskit.KmsError, name)
  }
  assert.equal(kmskit.NativeClient, undefined)
  assert.equal(kmskit.NativeProvider, undefined)
  assert.equal(kmskit.NativeClientKey, undefined)
})

test('the version is the package version', () => {
  const pkg = require(path.join(PACKAGE, 'package.json'))
  assert.equal(kmskit.version, pkg.version)
  assert.match(kmskit.version, /^\d+\.\d+\.\d+/)
})

test('credentials need an access key id and secret', () => {
  assert.throws(() => new kmskit.AccessKey('', 'secret'), kmskit.KmsError)
  assert.throws(() => new kmskit.AccessKey('id'), TypeError)
})
