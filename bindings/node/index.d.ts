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
} from './native'
export type {
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
  constructor(accessKeyId: string, accessKeySecret: string, securityToken: string)
  /** The access key id (not a secret). */
  get accessKeyId(): string
  private readonly __kmskitStsToken: never
}

/** The options of `new Client(...)`; the same in every kmskit face, camelCase. */
export interface ClientOptions extends NativeClientOptions {
  /** Without credentials each call reads ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / ALIBABA_CLOUD_SECURITY_TOKEN. */
  credentials?: AccessKey | StsToken | null
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

/** The kmskit version. */
export declare const version: string
