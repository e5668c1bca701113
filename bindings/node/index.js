'use strict'
// The public face of the npm package `kmskit`. The native addon (loaded by the napi-rs
// generated ./native.js) does the work; this file only translates: it re-raises the addon's
// error objects as `KmsError` subclasses (so `instanceof` works), turns napi's argument errors
// into `TypeError`s, and keeps `secretData` out of printed and serialised results.

const native = require('./native.js')

/** Any failure of a kmskit call; `kind` picks the subclass. */
class KmsError extends Error {
  constructor(message, fields = {}) {
    super(message)
    this.name = new.target.name
    this.code = fields.code ?? 'Internal' // kmskit's error name, e.g. 'ResourceNotFound'
    this.kmsCode = fields.kmsCode ?? 9001 // kmskit's stable number, e.g. 3301
    this.kind = fields.kind ?? 'Internal' // e.g. 'NotFound'
    this.serviceCode = fields.serviceCode ?? null // the service's code, e.g. 'Forbidden.KeyNotFound'
    this.requestId = fields.requestId ?? null
    this.httpStatus = fields.httpStatus ?? null
    this.retryable = fields.retryable ?? false
    this.hostId = fields.hostId ?? null
    this.recommend = fields.recommend ?? null
    this.retryAfterMs = fields.retryAfterMs ?? null
  }
}

class ThrottlingError extends KmsError {}
class AuthenticationError extends KmsError {}
class AuthorizationError extends KmsError {}
class NotFoundError extends KmsError {}
class InvalidArgumentError extends KmsError {}
class NetworkError extends KmsError {}
class KmsTimeoutError extends KmsError {}
class ServiceError extends KmsError {}
class CredentialsError extends KmsError {}
class ConfigurationError extends KmsError {}
class CryptoError extends KmsError {}
class InternalError extends KmsError {}

const BY_KIND = {
  Throttling: ThrottlingError,
  Authentication: AuthenticationError,
  Authorization: AuthorizationError,
  NotFound: NotFoundError,
  InvalidArgument: InvalidArgumentError,
  Network: NetworkError,
  Timeout: KmsTimeoutError,
  Service: ServiceError,
  Credentials: CredentialsError,
  Configuration: ConfigurationError,
  Crypto: CryptoError,
  Internal: InternalError,
}

// napi's own codes for an argument of the wrong JavaScript type.
const NAPI_TYPE_CODES = new Set([
  'InvalidArg', 'ObjectExpected', 'StringExpected', 'NameExpected', 'FunctionExpected',
  'NumberExpected', 'BooleanExpected', 'ArrayExpected', 'BigintExpected',
])

function translate(e) {
  if (e instanceof KmsError || e === null || typeof e !== 'object') return e
  if (typeof e.kmsCode === 'number' && typeof e.kind === 'string') {
    return new (BY_KIND[e.kind] ?? KmsError)(e.message, e)
  }
  if (NAPI_TYPE_CODES.has(e.code)) {
    const t = new TypeError(e.message)
    t.code = 'ERR_INVALID_ARG_TYPE'
    return t
  }
  return e
}

function fail(e) {
  throw translate(e)
}

// A plain function rather than an async one: one derived promise per call and a smaller function
// for V8 to optimise; the KmsError is still made in a reaction of the caller's await, so its
// stack ends at the caller's code like an async function's would.
function run(call) {
  let promise
  try {
    promise = call()
  } catch (e) {
    return Promise.reject(translate(e))
  }
  return promise.then(undefined, fail)
}

/** An access key pair: `new AccessKey(accessKeyId, accessKeySecret)`. */
class AccessKey extends native.AccessKey {
  constructor(accessKeyId, accessKeySecret) {
    try {
      super(accessKeyId, accessKeySecret)
    } catch (e) {
      throw translate(e)
    }
  }
}

/** Temporary STS credentials: `new StsToken(accessKeyId, accessKeySecret, securityToken, expiration?)`. */
class StsToken extends native.StsToken {
  constructor(accessKeyId, accessKeySecret, securityToken, expiration) {
    if (expiration != null && !(expiration instanceof Date)) throw new TypeError('expiration must be a Date')
    try {
      super(accessKeyId, accessKeySecret, securityToken, expiration == null ? undefined : expiration.getTime())
    } catch (e) {
      throw translate(e)
    }
  }
}

const credentialsApi = require('./credentials.js')({ native, translate, AccessKey, StsToken })
const { ClientKey, InstanceClient } = require('./instance.js')({ native, translate, run })

const OPTIONS = new Set([
  'endpoint', 'region', 'credentials', 'gateway', 'instanceId', 'caPem', 'caFile',
  'connectTimeoutMs', 'readTimeoutMs', 'maxAttempts', 'userAgentSuffix', 'signatureVersion',
  'clientKey', 'instanceEndpoint', 'route',
])

// Set only while withRoute() makes a Client around an existing native client.
let adopting = null

function bytes(plaintext) {
  if (typeof plaintext === 'string') return Buffer.from(plaintext, 'utf8')
  if (plaintext instanceof Uint8Array) return plaintext
  throw new TypeError('plaintext must be a Buffer, a Uint8Array or a string')
}

function hideSecret(result) {
  Object.defineProperty(result, 'secretData', { enumerable: false })
  return result
}

/** A KMS client. Methods return Promises; it can be shared by any number of concurrent calls. */
class Client {
  #native
  #instance

  constructor(options = {}) {
    if (adopting !== null) {
      this.#native = adopting
      return
    }
    if (options === null || typeof options !== 'object') {
      throw new TypeError('options must be an object')
    }
    const { credentials, clientKey, ...rest } = options
    for (const key of Object.keys(rest)) {
      if (!OPTIONS.has(key)) throw new TypeError(`unknown option ${JSON.stringify(key)}`)
    }
    const isStatic = credentials instanceof AccessKey || credentials instanceof StsToken
    const provider = credentials == null || isStatic ? undefined : credentialsApi.providerOf(credentials)
    const key = clientKey == null ? undefined : ClientKey.nativeOf(clientKey)
    try {
      this.#native = new native.NativeClient(rest, isStatic ? credentials : undefined, provider, key)
    } catch (e) {
      throw translate(e)
    }
  }

  encrypt(keyId, plaintext, options) {
    return run(() => this.#native.encrypt(keyId, bytes(plaintext), options))
  }

  decrypt(ciphertextBlob, options) {
    return run(() => this.#native.decrypt(ciphertextBlob, options))
  }

  generateDataKey(keyId, options) {
    return run(() => this.#native.generateDataKey(keyId, options))
  }

  generateDataKeyWithoutPlaintext(keyId, options) {
    return run(() => this.#native.generateDataKeyWithoutPlaintext(keyId, options))
  }

  async getSecretValue(secretName, options) {
    return hideSecret(await run(() => this.#native.getSecretValue(secretName, options)))
  }

  call(action, params) {
    return run(() => this.#native.call(action, params))
  }

  /** The Instance API (needs a `clientKey`); throws a ConfigurationError without one. */
  get instance() {
    if (this.#instance === undefined) {
      let inner
      try {
        inner = this.#native.instance()
      } catch (e) {
        throw translate(e)
      }
      this.#instance = new InstanceClient(inner)
    }
    return this.#instance
  }

  /** Where the data-plane operations go: 'auto', 'shared' or 'dedicated'. */
  get route() {
    return this.#native.route()
  }

  /** This client with another route ('auto', 'shared', 'dedicated'), sharing its connections. */
  withRoute(route) {
    let inner
    try {
      inner = this.#native.withRoute(route)
    } catch (e) {
      throw translate(e)
    }
    adopting = inner
    try {
      return new Client()
    } finally {
      adopting = null
    }
  }
}

module.exports = {
  Client,
  AccessKey,
  StsToken,
  ...credentialsApi.classes,
  ClientKey,
  InstanceClient,
  KmsError,
  ThrottlingError,
  AuthenticationError,
  AuthorizationError,
  NotFoundError,
  InvalidArgumentError,
  NetworkError,
  KmsTimeoutError,
  ServiceError,
  CredentialsError,
  ConfigurationError,
  CryptoError,
  InternalError,
  coreOperations: native.coreOperations,
  coreInstanceOperations: native.coreInstanceOperations,
  credentialsTypes: native.credentialsTypes,
  version: native.version(),
}
