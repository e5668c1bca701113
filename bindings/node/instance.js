'use strict'
// ClientKey and the Instance API client of the package (`client.instance`). Secret fields of
// results (plaintexts, private keys, random bytes, secret values) are non-enumerable: read them
// by name; util.inspect and JSON.stringify do not show them.

module.exports = function instance({ native, translate, run }) {
  const KEYS = new WeakMap()

  function adopt(inner) {
    const k = Object.create(ClientKey.prototype)
    KEYS.set(k, inner)
    return k
  }

  function wrap(make) {
    try {
      return adopt(make())
    } catch (e) {
      throw translate(e)
    }
  }

  /** The ClientKey of a dedicated KMS instance; shows only its key id. */
  class ClientKey {
    constructor() {
      throw new TypeError('use ClientKey.fromFile, ClientKey.fromJson or ClientKey.fromPrivateKeyPem')
    }

    /** A clientKey_<KeyId>.json file; `password` is one of {password}, {passwordFile}, {passwordEnv}. */
    static fromFile(path, password) {
      return wrap(() => native.NativeClientKey.fromFile(path, password))
    }

    /** The content of such a file. */
    static fromJson(json, password) {
      return wrap(() => native.NativeClientKey.fromJson(json, password))
    }

    /** A key id and its RSA private key (PEM or bare base64). */
    static fromPrivateKeyPem(keyId, pem) {
      return wrap(() => native.NativeClientKey.fromPrivateKeyPem(keyId, pem))
    }

    /** The ClientKey's id (not a secret). */
    get keyId() {
      return ClientKey.nativeOf(this).keyId
    }

    static nativeOf(key) {
      const k = key !== null && typeof key === 'object' ? KEYS.get(key) : undefined
      if (k === undefined) throw new TypeError('clientKey must be a ClientKey')
      return k
    }

    [Symbol.for('nodejs.util.inspect.custom')]() {
      return `ClientKey { keyId: ${JSON.stringify(this.keyId)} }`
    }
  }

  function hide(...fields) {
    return (result) => {
      for (const f of fields) Object.defineProperty(result, f, { enumerable: false })
      return result
    }
  }
  const same = (r) => r

  const byteArg = (v) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v)

  const INNER = new WeakMap()

  /** The Instance API of a dedicated KMS instance (ClientKey authentication). */
  class InstanceClient {
    constructor(inner) {
      if (!(inner instanceof native.NativeInstanceClient)) throw new TypeError('use client.instance')
      INNER.set(this, inner)
    }

    /** The ClientKey's id. */
    get clientKeyId() { return INNER.get(this).clientKeyId }

    /** The instance endpoint. */
    get endpoint() { return INNER.get(this).endpoint }
  }

  // name -> [argument conversion, result post-processing]
  const METHODS = {
    encrypt: [(k, p, o) => [k, byteArg(p), o], same],
    decrypt: [(k, c, o) => [k, c, o], hide('plaintext')],
    advanceEncrypt: [(k, p, o) => [k, byteArg(p), o], same],
    advanceDecrypt: [(c, o) => [c, o], hide('plaintext')],
    sign: [(k, a, m, o) => [k, a, byteArg(m), o], same],
    verify: [(k, a, m, s, o) => [k, a, byteArg(m), s, o], same],
    generateRandom: [(n) => [n], hide('random')],
    generateDataKey: [(k, o) => [k, o], hide('plaintext')],
    advanceGenerateDataKey: [(k, o) => [k, o], hide('plaintext')],
    generateDataKeyPair: [(k, s, o) => [k, s, o], hide('privateKeyPlaintext')],
    advanceGenerateDataKeyPair: [(k, s, o) => [k, s, o], hide('privateKeyPlaintext')],
    generateDataKeyPairWithoutPlaintext: [(k, s, o) => [k, s, o], same],
    advanceGenerateDataKeyPairWithoutPlaintext: [(k, s, o) => [k, s, o], same],
    getPublicKey: [(k) => [k], same],
    getSecretValue: [(n, o) => [n, o], hide('secretData')],
  }
  for (const [name, [args, post]] of Object.entries(METHODS)) {
    Object.defineProperty(InstanceClient.prototype, name, {
      value: async function (...a) {
        const inner = INNER.get(this)
        return post(await run(() => inner[name](...args(...a))))
      },
      writable: true,
      configurable: true,
    })
  }

  return { ClientKey, InstanceClient }
}
