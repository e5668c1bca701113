// Types of the npm package `kmskit` (index.js). The result shapes come from the napi-rs
// generated native.d.ts; the client and the errors are index.js's.

import type {
  ClientOptions as NativeClientOptions,
  DataKeyOptions,
  DecryptResult,
  EncryptOptions,
  EncryptResult,
  GenerateDataKeyResult,
  GenerateDataKeyWithoutPlaintextResult,
  GetSecretValueOptions,
  GetSecretValueResult,
  EcsRamRoleOptions,
  RamRoleArnOptions as NativeRamRoleArnOptions,
  OidcRoleArnOptions,
  CliProfileOptions,
  IniProfileOptions,
  DefaultChainOptions,
  ClientKeyPassword,
  InstanceCipherOptions,
  AdvanceDecryptOptions,
  SignOptions,
  InstanceDataKeyOptions,
  DataKeyPairOptions,
  InstanceGetSecretValueOptions,
  InstanceEncryptResult,
  InstanceAdvanceEncryptResult,
  InstanceDecryptResult,
  InstanceSignResult,
  InstanceVerifyResult,
  InstanceGenerateRandomResult,
  InstanceGenerateDataKeyResult,
  InstanceGenerateDataKeyPairResult,
  InstanceGenerateDataKeyPairWithoutPlaintextResult,
  InstanceGetPublicKeyResult,
  InstanceGetSecretValueResult,
} from './native'
export type {
  EcsRamRoleOptions,
  OidcRoleArnOptions,
  CliProfileOptions,
  IniProfileOptions,
  DefaultChainOptions,
  ClientKeyPassword,
  InstanceCipherOptions,
  AdvanceDecryptOptions,
  SignOptions,
  InstanceDataKeyOptions,
  DataKeyPairOptions,
  InstanceGetSecretValueOptions,
  InstanceEncryptResult,
  InstanceAdvanceEncryptResult,
  InstanceDecryptResult,
  InstanceSignResult,
  InstanceVerifyResult,
  InstanceGenerateRandomResult,
  InstanceGenerateDataKeyResult,
  InstanceGenerateDataKeyPairResult,
  InstanceGenerateDataKeyPairWithoutPlaintextResult,
  InstanceGetPublicKeyResult,
  InstanceGetSecretValueResult,
  DataKeyOptions,
  DecryptResult,
  EncryptOptions,
  EncryptResult,
  GenerateDataKeyResult,
  GenerateDataKeyWithoutPlaintextResult,
  GetSecretValueOptions,
  GetSecretValueResult,
}

/** An access key pair. The secret goes straight into native memory and is never shown. */
export declare class AccessKey {
  constructor(accessKeyId: string, accessKeySecret: string)
  /** The access key id (not a secret). */
  get accessKeyId(): string
  private readonly __kmskitAccessKey: never
}

/** Temporary STS credentials. The secret and the token are never shown. */
export declare class StsToken {
  constructor(accessKeyId: string, accessKeySecret: string, securityToken: string, expiration?: Date | null)
  /** The access key id (not a secret). */
  get accessKeyId(): string
  private readonly __kmskitStsToken: never
}

/** What a credentials function resolves to. */
export interface FunctionCredentials {
  accessKeyId: string
  accessKeySecret: string
  securityToken?: string | null
  /** When the credentials expire; they are asked for again ahead of it (else every 15 minutes). */
  expiration?: Date | null
}

/** A user's credentials function (async or not); called once at a time, its answer cached. */
export type CredentialsFunction = () => Promise<FunctionCredentials> | FunctionCredentials

/** Any credentials the package accepts. */
export type CredentialsSource =
  | AccessKey | StsToken | EcsRamRole | RamRoleArn | OidcRoleArn | CredentialsUri | CliProfile | IniProfile
  | DefaultChain | CredentialsFunction

/** The ECS instance's RAM role, from the metadata service. */
export declare class EcsRamRole {
  constructor(options?: EcsRamRoleOptions | null)
  private readonly __kmskitEcsRamRole: never
}

export interface RamRoleArnOptions extends NativeRamRoleArnOptions {
  /** The credentials that assume the role. */
  source: CredentialsSource
}

/** STS AssumeRole with the credentials of `source`. */
export declare class RamRoleArn {
  constructor(options: RamRoleArnOptions)
  private readonly __kmskitRamRoleArn: never
}

/** STS AssumeRoleWithOIDC (the ALIBABA_CLOUD_* variables fill unset options). */
export declare class OidcRoleArn {
  constructor(options?: OidcRoleArnOptions | null)
  private readonly __kmskitOidcRoleArn: never
}

/** Credentials served as JSON by a URL. */
export declare class CredentialsUri {
  constructor(uri: string)
  private readonly __kmskitCredentialsUri: never
}

/** A profile of the Alibaba Cloud CLI's config.json. */
export declare class CliProfile {
  constructor(options?: CliProfileOptions | null)
  private readonly __kmskitCliProfile: never
}

/** A section of the credentials ini file. */
export declare class IniProfile {
  constructor(options?: IniProfileOptions | null)
  private readonly __kmskitIniProfile: never
}

/** The default chain (environment, OIDC, CLI profile, ini profile, ECS role, credentials URI). */
export declare class DefaultChain {
  constructor(options?: DefaultChainOptions | null)
  private readonly __kmskitDefaultChain: never
}

/** The ClientKey of a dedicated KMS instance. Shows only its key id. */
export declare class ClientKey {
  private constructor()
  static fromFile(path: string, password: ClientKeyPassword): ClientKey
  static fromJson(json: string, password: ClientKeyPassword): ClientKey
  static fromPrivateKeyPem(keyId: string, pem: string): ClientKey
  get keyId(): string
}

/** The options of `new Client(...)`; the same in every kmskit face, camelCase. */
export interface ClientOptions extends NativeClientOptions {
  /** Without credentials the client uses the default chain (DefaultChain), read when it is made. */
  credentials?: CredentialsSource | null
  /** Enables the Instance API (`client.instance`) and routes the data plane to it (route 'auto'). */
  clientKey?: ClientKey | null
  route?: 'auto' | 'shared' | 'dedicated'
}

/** The Instance API of a dedicated KMS instance. Secret result fields are non-enumerable. */
export declare class InstanceClient {
  private constructor()
  get clientKeyId(): string
  get endpoint(): string
  encrypt(keyId: string, plaintext: Uint8Array | string, options?: InstanceCipherOptions | null): Promise<InstanceEncryptResult>
  decrypt(keyId: string, ciphertextBlob: Uint8Array, options?: InstanceCipherOptions | null): Promise<InstanceDecryptResult>
  advanceEncrypt(keyId: string, plaintext: Uint8Array | string, options?: InstanceCipherOptions | null): Promise<InstanceAdvanceEncryptResult>
  advanceDecrypt(ciphertextBlob: Uint8Array, options?: AdvanceDecryptOptions | null): Promise<InstanceDecryptResult>
  sign(keyId: string, algorithm: string, message: Uint8Array | string, options?: SignOptions | null): Promise<InstanceSignResult>
  verify(keyId: string, algorithm: string, message: Uint8Array | string, signature: Uint8Array, options?: SignOptions | null): Promise<InstanceVerifyResult>
  generateRandom(length: number): Promise<InstanceGenerateRandomResult>
  generateDataKey(keyId: string, options?: InstanceDataKeyOptions | null): Promise<InstanceGenerateDataKeyResult>
  advanceGenerateDataKey(keyId: string, options?: InstanceDataKeyOptions | null): Promise<InstanceGenerateDataKeyResult>
  generateDataKeyPair(keyId: string, keyPairSpec: string, options?: DataKeyPairOptions | null): Promise<InstanceGenerateDataKeyPairResult>
  advanceGenerateDataKeyPair(keyId: string, keyPairSpec: string, options?: DataKeyPairOptions | null): Promise<InstanceGenerateDataKeyPairResult>
  generateDataKeyPairWithoutPlaintext(keyId: string, keyPairSpec: string, options?: DataKeyPairOptions | null): Promise<InstanceGenerateDataKeyPairWithoutPlaintextResult>
  advanceGenerateDataKeyPairWithoutPlaintext(keyId: string, keyPairSpec: string, options?: DataKeyPairOptions | null): Promise<InstanceGenerateDataKeyPairWithoutPlaintextResult>
  getPublicKey(keyId: string): Promise<InstanceGetPublicKeyResult>
  getSecretValue(secretName: string, options?: InstanceGetSecretValueOptions | null): Promise<InstanceGetSecretValueResult>
}

/** JSON-like values `call()` accepts; properties whose value is undefined are left out, as JSON.stringify does. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/** A KMS client. Every method returns a Promise; one client serves any number of concurrent calls. */
export declare class Client {
  constructor(options?: ClientOptions)
  encrypt(keyId: string, plaintext: Uint8Array | string, options?: EncryptOptions | null): Promise<EncryptResult>
  decrypt(ciphertextBlob: string, options?: EncryptOptions | null): Promise<DecryptResult>
  generateDataKey(keyId: string, options?: DataKeyOptions | null): Promise<GenerateDataKeyResult>
  generateDataKeyWithoutPlaintext(keyId: string, options?: DataKeyOptions | null): Promise<GenerateDataKeyWithoutPlaintextResult>
  /** `secretData` is a non-enumerable property of the result: read it by name; it is not printed or serialised. */
  getSecretValue(secretName: string, options?: GetSecretValueOptions | null): Promise<GetSecretValueResult>
  /** Any KMS action by name; resolves to the response body. */
  call(action: string, params?: { [key: string]: JsonValue } | null): Promise<Record<string, any>>
  /** The Instance API; throws a ConfigurationError when the client has no clientKey. */
  get instance(): InstanceClient
  /** Where the data-plane operations go (the `route` option, or the one given to `withRoute`). */
  readonly route: 'auto' | 'shared' | 'dedicated'
  /** This client with another route, sharing its connections. */
  withRoute(route: 'auto' | 'shared' | 'dedicated'): Client
}

export type ErrorKind =
  | 'Throttling' | 'Authentication' | 'Authorization' | 'NotFound' | 'InvalidArgument' | 'Network'
  | 'Timeout' | 'Service' | 'Credentials' | 'Configuration' | 'Crypto' | 'Internal'

export interface KmsErrorFields {
  code?: string
  kmsCode?: number
  kind?: ErrorKind | string
  serviceCode?: string | null
  requestId?: string | null
  httpStatus?: number | null
  retryable?: boolean
  hostId?: string | null
  recommend?: string | null
  retryAfterMs?: number | null
}

/** Every failure of a kmskit call (construction included); the subclass follows `kind`. */
export declare class KmsError extends Error {
  constructor(message: string, fields?: KmsErrorFields)
  /** kmskit's error name, e.g. 'ResourceNotFound' (stable, one per kmsCode). */
  code: string
  /** kmskit's stable error number, e.g. 3301. */
  kmsCode: number
  kind: ErrorKind | string
  /** The service's own code, e.g. 'Forbidden.KeyNotFound', when the service answered. */
  serviceCode: string | null
  requestId: string | null
  httpStatus: number | null
  /** Whether the same call may succeed if tried again later. */
  retryable: boolean
  hostId: string | null
  recommend: string | null
  retryAfterMs: number | null
}
export declare class ThrottlingError extends KmsError {}
export declare class AuthenticationError extends KmsError {}
export declare class AuthorizationError extends KmsError {}
export declare class NotFoundError extends KmsError {}
export declare class InvalidArgumentError extends KmsError {}
export declare class NetworkError extends KmsError {}
export declare class KmsTimeoutError extends KmsError {}
export declare class ServiceError extends KmsError {}
export declare class CredentialsError extends KmsError {}
export declare class ConfigurationError extends KmsError {}
export declare class CryptoError extends KmsError {}
export declare class InternalError extends KmsError {}

/** The core's operation names (snake_case); each is a camelCase method of Client. */
export declare function coreOperations(): string[]

/** The Instance API operation names (e.g. 'AdvanceEncrypt'); each is a lowerCamelCase method of InstanceClient. */
export declare function coreInstanceOperations(): string[]

/** The credentials types, in the order every face lists them. */
export declare function credentialsTypes(): string[]

/** The kmskit version. */
export declare const version: string
