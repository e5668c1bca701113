// Typed usage of the credentials types and the Instance API, checked by `npm run typecheck`.
import {
  AccessKey, Client, ClientKey, CliProfile, CredentialsUri, DefaultChain, EcsRamRole, IniProfile, OidcRoleArn,
  RamRoleArn, StsToken, coreInstanceOperations, credentialsTypes,
  type InstanceDecryptResult, type InstanceGenerateDataKeyPairResult,
} from '../..'

async function instanceDemo(): Promise<void> {
  const source = new AccessKey('id', 'secret')
  const role = new RamRoleArn({ source, roleArn: 'acs:ram::1:role/r', durationSeconds: 900, stsEndpoint: 'http://127.0.0.1:1' })
  new RamRoleArn({ source: role, roleArn: 'acs:ram::1:role/r2' })
  new RamRoleArn({ source: async () => ({ accessKeyId: 'a', accessKeySecret: 'b' }), roleArn: 'acs:ram::1:role/r3' })
  new EcsRamRole({ roleName: 'r', metadataEndpoint: 'http://127.0.0.1:2', disableImdsV1: true })
  new OidcRoleArn({ roleArn: 'acs:ram::1:role/r', oidcProviderArn: 'p', oidcTokenFile: '/t' })
  new CredentialsUri('http://127.0.0.1:3/c')
  new CliProfile({ profileName: 'p', configFile: '/c.json' })
  new IniProfile({ profileName: 'p', credentialsFile: '/c.ini' })
  new DefaultChain({ stsEndpoint: 'http://127.0.0.1:1', metadataEndpoint: 'http://127.0.0.1:2' })
  new StsToken('id', 's', 't', new Date())
  const key = ClientKey.fromFile('/k.json', { passwordFile: '/p.txt' })
  const keyId: string = key.keyId
  const client = new Client({
    endpoint: 'https://127.0.0.1:8443',
    credentials: async () => ({ accessKeyId: 'a', accessKeySecret: 'b', securityToken: 't', expiration: new Date() }),
    clientKey: key,
    instanceEndpoint: 'https://127.0.0.1:8443',
    caFile: '/ca.pem',
    route: 'auto',
  })
  const inst = client.instance
  const e = await inst.encrypt('key-1', Buffer.from('x'), { aad: Buffer.from('a') })
  const d: InstanceDecryptResult = await inst.decrypt('key-1', e.ciphertextBlob, { iv: e.iv })
  const p: Buffer = d.plaintext
  const pair: InstanceGenerateDataKeyPairResult = await inst.generateDataKeyPair('key-1', 'RSA_2048', { keyFormat: 'PEM' })
  const ok: boolean = (await inst.verify('k', 'RSA_PKCS1_SHA_256', 'm', Buffer.alloc(1))).value
  const shared: Client = client.withRoute('shared')
  const names: string[] = [...coreInstanceOperations(), ...credentialsTypes()]
  void [keyId, p, pair, ok, shared, names]
}
void instanceDemo
