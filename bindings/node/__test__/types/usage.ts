// Typed usage of the package, checked by `npm run typecheck` (tsc --noEmit). Never run.
import {
  AccessKey, Client, KmsError, NotFoundError, StsToken, coreOperations, version,
  type DecryptResult, type EncryptResult, type GetSecretValueResult,
} from '../..'

async function demo(): Promise<void> {
  const client = new Client({
    endpoint: 'http://127.0.0.1:8080',
    region: 'cn-hangzhou',
    credentials: new AccessKey('id', 'secret'),
    connectTimeoutMs: 1000,
    readTimeoutMs: 2000,
    maxAttempts: 3,
    signatureVersion: 'acs3',
    caPem: Buffer.from(''),
  })
  new Client({ region: 'cn-hangzhou', credentials: new StsToken('id', 'secret', 'token'), gateway: 'vpc' })
  const enc: EncryptResult = await client.encrypt('alias/app', Buffer.from('x'), { encryptionContext: { k: 'v' } })
  const dec: DecryptResult = await client.decrypt(enc.ciphertextBlob, { encryptionContext: { k: 'v' } })
  const bytes: Buffer = dec.plaintext
  const dk = await client.generateDataKey('alias/app', { numberOfBytes: 32, keySpec: 'AES_256' })
  const key: Buffer = dk.plaintext
  const wo = await client.generateDataKeyWithoutPlaintext('alias/app', {})
  const blob: string = wo.ciphertextBlob
  const s: GetSecretValueResult = await client.getSecretValue('name', { versionStage: 'ACSCurrent', fetchExtendedConfig: true })
  const stages: string[] = s.versionStages
  const data: string = s.secretData
  const rotation: string | undefined = s.automaticRotation
  const body = await client.call('CreateKey', { KeySpec: 'Aliyun_AES_256', Nested: { a: [1, true, null] } })
  const keyId: unknown = body.KeyMetadata
  const ops: string[] = coreOperations()
  const v: string = version
  try {
    await client.encrypt('nope', 'text plaintext')
  } catch (e) {
    if (e instanceof NotFoundError) {
      const n: number = e.kmsCode
      const code: string = e.code
      const status: number | null = e.httpStatus
      const retry: boolean = e.retryable
      const rid: string | null = e.requestId
      void [n, code, status, retry, rid]
    } else if (e instanceof KmsError) {
      const kind: string = e.kind
      void kind
    }
  }
  void [bytes, key, blob, stages, data, rotation, keyId, ops, v]
}

// @ts-expect-error plaintext must be bytes or a string
void new Client({ region: 'x' }).encrypt('k', 42)
// @ts-expect-error credentials are AccessKey or StsToken
void new Client({ region: 'x', credentials: { accessKeyId: 'a' } })
// @ts-expect-error unknown option
void new Client({ region: 'x', readTimeoutMS: 5 })
// @ts-expect-error encryption context values are strings
void new Client({ region: 'x' }).encrypt('k', 'p', { encryptionContext: { n: 1 } })

void demo
