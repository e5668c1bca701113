'use strict'
// The credentials types of the package besides AccessKey and StsToken. Each class holds a
// native provider in a module-private WeakMap, so nothing about it (least of all a secret) is
// on the object: `util.inspect(new RamRoleArn(...))` prints `RamRoleArn {}`.

module.exports = function credentials({ native, translate, AccessKey, StsToken }) {
  const PROVIDERS = new WeakMap()

  function make(self, factory) {
    try {
      PROVIDERS.set(self, factory())
    } catch (e) {
      throw translate(e)
    }
  }

  function options(o, what) {
    if (o == null) return undefined
    if (typeof o !== 'object') throw new TypeError(`${what} options must be an object`)
    return o
  }

  // A user's function: whatever it returns or throws, the native side sees a Promise of
  // {accessKeyId, accessKeySecret, securityToken?, expirationMs?} or a rejection whose message
  // names the failure.
  function fromFunction(fn) {
    return native.NativeProvider.fromFunction(async () => {
      let c
      try {
        c = await fn()
      } catch (e) {
        const name = e && typeof e === 'object' && typeof e.name === 'string' ? e.name : 'Error'
        const message = e && typeof e === 'object' && typeof e.message === 'string' ? e.message : String(e)
        throw new Error(`${name}: ${message}`)
      }
      if (c === null || typeof c !== 'object' || typeof c.accessKeyId !== 'string' || typeof c.accessKeySecret !== 'string') {
        throw new Error('TypeError: the credentials function must resolve to {accessKeyId, accessKeySecret, securityToken?, expiration?}')
      }
      if (c.securityToken != null && typeof c.securityToken !== 'string') {
        throw new Error('TypeError: securityToken must be a string')
      }
      if (c.expiration != null && !(c.expiration instanceof Date && !Number.isNaN(c.expiration.getTime()))) {
        throw new Error('TypeError: expiration must be a valid Date')
      }
      const out = { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret }
      if (c.securityToken != null) out.securityToken = c.securityToken
      if (c.expiration != null) out.expirationMs = c.expiration.getTime()
      return out
    })
  }

  /** The native provider behind any credentials value the package accepts. */
  function providerOf(credentials) {
    if (credentials instanceof AccessKey || credentials instanceof StsToken) {
      return native.NativeProvider.fromStatic(credentials)
    }
    if (typeof credentials === 'function') return fromFunction(credentials)
    const p = credentials !== null && typeof credentials === 'object' ? PROVIDERS.get(credentials) : undefined
    if (p === undefined) {
      throw new TypeError('credentials must be an AccessKey, StsToken, EcsRamRole, RamRoleArn, OidcRoleArn, CredentialsUri, CliProfile, IniProfile, DefaultChain or an async function')
    }
    return p
  }

  /** The ECS instance's RAM role, from the metadata service. */
  class EcsRamRole {
    constructor(opts) {
      const o = options(opts, 'EcsRamRole')
      make(this, () => native.NativeProvider.ecsRamRole(o))
    }
  }

  /** STS AssumeRole with the credentials of `source`. */
  class RamRoleArn {
    constructor(opts) {
      const o = options(opts, 'RamRoleArn')
      if (o === undefined) throw new TypeError('RamRoleArn needs {source, roleArn, ...}')
      const { source, ...rest } = o
      if (source == null) throw new TypeError('RamRoleArn needs a source of credentials')
      const src = providerOf(source)
      make(this, () => native.NativeProvider.ramRoleArn(src, rest))
    }
  }

  /** STS AssumeRoleWithOIDC with the token in a file (the ALIBABA_CLOUD_* variables fill the gaps). */
  class OidcRoleArn {
    constructor(opts) {
      const o = options(opts, 'OidcRoleArn')
      make(this, () => native.NativeProvider.oidcRoleArn(o))
    }
  }

  /** Credentials served as JSON by a URL. */
  class CredentialsUri {
    constructor(uri) {
      if (typeof uri !== 'string') throw new TypeError('CredentialsUri needs a URL string')
      make(this, () => native.NativeProvider.credentialsUri(uri))
    }
  }

  /** A profile of the Alibaba Cloud CLI's config.json. */
  class CliProfile {
    constructor(opts) {
      const o = options(opts, 'CliProfile')
      make(this, () => native.NativeProvider.cliProfile(o))
    }
  }

  /** A section of the credentials ini file. */
  class IniProfile {
    constructor(opts) {
      const o = options(opts, 'IniProfile')
      make(this, () => native.NativeProvider.iniProfile(o))
    }
  }

  /** Environment, OIDC, CLI profile, ini profile, ECS role, credentials URI: the first that is configured. */
  class DefaultChain {
    constructor(opts) {
      const o = options(opts, 'DefaultChain')
      make(this, () => native.NativeProvider.defaultChain(o))
    }
  }

  return {
    providerOf,
    classes: { EcsRamRole, RamRoleArn, OidcRoleArn, CredentialsUri, CliProfile, IniProfile, DefaultChain },
  }
}
