'use strict';
// The official Alibaba Cloud Node SDKs against the kmskit emulator and the kmskit CLI.
//   @alicloud/kms20160120 (generated KMS client, RPC V1 / HMAC-SHA1 over @alicloud/rpc-client)
//   @alicloud/openapi-client (generic OpenAPI client, ACS3-HMAC-SHA256 by default)
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const h = require('../lib/harness.js');

let emu;
let rpc; // @alicloud/kms20160120
let acs3; // @alicloud/openapi-client

before(async () => {
  emu = await h.startEmulator();
  rpc = h.kmsClient(emu);
  acs3 = h.openApiClient(emu);
});

after(async () => {
  if (emu) await h.stopEmulator(emu);
});

const CTX = { tenant: 't 1&2=3+4%', purpose: 'node interop é 中文 🔐' };
const uniq = (p) => `${p}-${crypto.randomBytes(5).toString('hex')}`;

async function createKey(client, call, spec = 'Aliyun_AES_256', usage = 'ENCRYPT/DECRYPT') {
  const r = await call(client, 'CreateKey', { KeySpec: spec, KeyUsage: usage });
  const md = r.keyMetadata || r.KeyMetadata;
  assert.ok(md, `CreateKey returned no KeyMetadata: ${JSON.stringify(r)}`);
  assert.equal(md.keySpec || md.KeySpec, spec);
  assert.equal(md.keyState || md.KeyState, 'Enabled');
  return md.keyId || md.KeyId;
}

test('kms20160120 (RPC V1): create key, describe, encrypt/decrypt with EncryptionContext', async () => {
  const kid = await createKey(rpc, h.kmsCall);
  const desc = await h.kmsCall(rpc, 'DescribeKey', { KeyId: kid });
  assert.equal(desc.keyMetadata.keyId, kid);
  const pt = h.b64('node rpc plaintext é 中文 🔐');
  // The generated 1.2.0 model types EncryptionContext as a map, which rpc-util would flatten to
  // EncryptionContext.k=v; KMS takes a JSON string, so pass the JSON text as users must.
  const enc = await h.kmsCall(rpc, 'Encrypt', { KeyId: kid, Plaintext: pt, EncryptionContext: JSON.stringify(CTX) });
  assert.equal(enc.keyId, kid);
  assert.ok(enc.ciphertextBlob && enc.keyVersionId && enc.requestId);
  const dec = await h.kmsCall(rpc, 'Decrypt', { CiphertextBlob: enc.ciphertextBlob, EncryptionContext: JSON.stringify(CTX) });
  assert.equal(dec.plaintext, pt);
  assert.equal(dec.keyVersionId, enc.keyVersionId);
  await assert.rejects(
    h.kmsCall(rpc, 'Decrypt', { CiphertextBlob: enc.ciphertextBlob, EncryptionContext: JSON.stringify({ tenant: 'other' }) }),
    (e) => { assert.match(e.code, /Error$/); assert.notEqual(e.code, 'SignatureDoesNotMatchError'); return true; },
  );
});

test('openapi-client (ACS3): create key, encrypt/decrypt with EncryptionContext, tricky plaintext', async () => {
  const kid = await createKey(acs3, h.openApiCall);
  for (const pt of ['a b+c/d=e~f*g%h&i?j#k!l\'m(n)o:p@q;r,s$t[u]v\nw\tx é 中文 🔐', h.b64('bytes \u0000\u00ff')]) {
    const enc = await h.openApiCall(acs3, 'Encrypt', { KeyId: kid, Plaintext: pt, EncryptionContext: JSON.stringify(CTX) });
    assert.equal(enc.KeyId, kid);
    const reordered = JSON.stringify({ purpose: CTX.purpose, tenant: CTX.tenant });
    const dec = await h.openApiCall(acs3, 'Decrypt', { CiphertextBlob: enc.CiphertextBlob, EncryptionContext: reordered });
    assert.equal(dec.Plaintext, pt);
  }
});

test('GenerateDataKey (both SDKs) and decrypt of the data key', async () => {
  const kid = await createKey(rpc, h.kmsCall);
  const g1 = await h.kmsCall(rpc, 'GenerateDataKey', { KeyId: kid, NumberOfBytes: 32 });
  assert.equal(Buffer.from(g1.plaintext, 'base64').length, 32);
  assert.equal((await h.kmsCall(rpc, 'Decrypt', { CiphertextBlob: g1.ciphertextBlob })).plaintext, g1.plaintext);
  const g2 = await h.openApiCall(acs3, 'GenerateDataKey', { KeyId: kid, KeySpec: 'AES_128', EncryptionContext: JSON.stringify(CTX) });
  assert.equal(Buffer.from(g2.Plaintext, 'base64').length, 16);
  const d2 = await h.openApiCall(acs3, 'Decrypt', { CiphertextBlob: g2.CiphertextBlob, EncryptionContext: JSON.stringify(CTX) });
  assert.equal(d2.Plaintext, g2.Plaintext);
  const g3 = await h.kmsCall(rpc, 'GenerateDataKeyWithoutPlaintext', { KeyId: kid, NumberOfBytes: 24 });
  assert.equal(g3.plaintext, undefined);
  const d3 = await h.kmsCall(rpc, 'Decrypt', { CiphertextBlob: g3.ciphertextBlob });
  assert.equal(Buffer.from(d3.plaintext, 'base64').length, 24);
});

test('AsymmetricSign/Verify RSA_PSS_SHA_256, verified locally with node:crypto', async () => {
  const kid = await createKey(acs3, h.openApiCall, 'RSA_2048', 'SIGN/VERIFY');
  const ver = (await h.openApiCall(acs3, 'DescribeKey', { KeyId: kid })).KeyMetadata.PrimaryKeyVersion;
  assert.ok(ver);
  const message = Buffer.from('node interop message é');
  const digest = crypto.createHash('sha256').update(message).digest();
  const sig = await h.kmsCall(rpc, 'AsymmetricSign', { KeyId: kid, KeyVersionId: ver, Algorithm: 'RSA_PSS_SHA_256', Digest: digest.toString('base64') });
  assert.equal(sig.keyId, kid);
  const ok = await h.openApiCall(acs3, 'AsymmetricVerify', { KeyId: kid, KeyVersionId: ver, Algorithm: 'RSA_PSS_SHA_256', Digest: digest.toString('base64'), Value: sig.value });
  assert.equal(ok.Value, true);
  const other = crypto.createHash('sha256').update('other').digest('base64');
  const bad = await h.kmsCall(rpc, 'AsymmetricVerify', { KeyId: kid, KeyVersionId: ver, Algorithm: 'RSA_PSS_SHA_256', Digest: other, Value: sig.value });
  assert.equal(bad.value, false);
  const pem = (await h.kmsCall(rpc, 'GetPublicKey', { KeyId: kid, KeyVersionId: ver })).publicKey;
  assert.match(pem, /^-----BEGIN PUBLIC KEY-----/);
  const verifyLocal = (msg) => crypto.verify('sha256', msg, {
    key: pem, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_AUTO,
  }, Buffer.from(sig.value, 'base64'));
  assert.equal(verifyLocal(message), true);
  assert.equal(verifyLocal(Buffer.from('tampered')), false);
});

test('secret create/get/put through both SDKs', async () => {
  const name = uniq('node/secret');
  const data = 'user=admin&pass=p+w%d é 中文 🔐';
  const c = await h.openApiCall(acs3, 'CreateSecret', { SecretName: name, SecretData: data, VersionId: 'v1' });
  assert.equal(c.SecretName, name);
  const g = await h.kmsCall(rpc, 'GetSecretValue', { SecretName: name });
  assert.equal(g.secretData, data);
  assert.equal(g.versionId, 'v1');
  await h.kmsCall(rpc, 'PutSecretValue', { SecretName: name, SecretData: `${data} v2`, VersionId: 'v2' });
  const cur = await h.openApiCall(acs3, 'GetSecretValue', { SecretName: name, FetchExtendedConfig: true });
  assert.equal(cur.SecretData, `${data} v2`);
  const prev = await h.openApiCall(acs3, 'GetSecretValue', { SecretName: name, VersionStage: 'ACSPrevious' });
  assert.equal(prev.SecretData, data);
});

test('a client with a wrong secret is refused (both SDKs)', async () => {
  const badRpc = h.kmsClient(emu, { accessKeySecret: 'wrong-secret' });
  await assert.rejects(h.kmsCall(badRpc, 'ListKeys', {}), (e) => {
    assert.equal(e.code, 'SignatureDoesNotMatchError');
    return true;
  });
  const badAcs3 = h.openApiClient(emu, { accessKeySecret: 'wrong-secret' });
  await assert.rejects(h.openApiCall(badAcs3, 'ListKeys', {}), (e) => {
    assert.equal(e.code, 'SignatureDoesNotMatch');
    assert.equal(e.statusCode, 400);
    return true;
  });
});

const encryptCount = async () => (await h.admin(emu, 'GET', '/_emulator/stats')).requests.Encrypt || 0;

test('faults: a 503 reaches the Node SDK as statusCode 503, one attempt each, then the call succeeds', async () => {
  const kid = await createKey(acs3, h.openApiCall);
  await h.admin(emu, 'POST', '/_emulator/faults', { kind: 'error', action: 'Encrypt', count: 2, status: 503 });
  const before = await encryptCount();
  for (let i = 0; i < 2; i += 1) {
    await assert.rejects(h.openApiCall(acs3, 'Encrypt', { KeyId: kid, Plaintext: 'eA==' }), (e) => {
      assert.equal(e.statusCode, 503);
      assert.ok(e.code && e.code !== 'undefined', `no service code: ${e.message}`);
      return true;
    });
  }
  assert.ok((await h.openApiCall(acs3, 'Encrypt', { KeyId: kid, Plaintext: 'eA==' })).CiphertextBlob);
  assert.equal((await encryptCount()) - before, 3);
});

test('drop fault: the Node SDK surfaces a reset connection as ECONNRESET and, even with autoretry, does not retry it', async () => {
  // tea-typescript retries only errors named RetryError, which nothing in the HTTP path throws.
  const kid = await createKey(acs3, h.openApiCall);
  await h.admin(emu, 'POST', '/_emulator/faults', { kind: 'drop', action: 'Encrypt', count: 2 });
  const runtime = { autoretry: true, maxAttempts: 3, backoffPolicy: 'fixed', backoffPeriod: 10 };
  try {
    for (let i = 0; i < 2; i += 1) {
      await assert.rejects(h.openApiCall(acs3, 'Encrypt', { KeyId: kid, Plaintext: 'eA==' }, runtime), (e) => {
        assert.equal(e.code, 'ECONNRESET');
        return true;
      });
    }
    assert.equal((await h.openApiCall(acs3, 'Encrypt', { KeyId: kid, Plaintext: 'eA==' }, runtime)).KeyId, kid);
  } finally {
    await h.admin(emu, 'DELETE', '/_emulator/faults');
  }
});

test('cross-implementation: Node SDK ciphertext decrypted by the kmskit CLI and back', async () => {
  const kid = await createKey(rpc, h.kmsCall);
  const pt = h.b64('node → kmskit é 中文 🔐');
  const enc = await h.kmsCall(rpc, 'Encrypt', { KeyId: kid, Plaintext: pt, EncryptionContext: JSON.stringify(CTX) });
  const out = h.cli(emu, ['decrypt', '--ciphertext-blob', enc.ciphertextBlob, '--encryption-context', JSON.stringify(CTX)]);
  assert.equal(out.Plaintext, pt);
  assert.equal(out.KeyId, kid);

  const text = 'kmskit → node & = + % é 🔐';
  const cenc = h.cli(emu, ['encrypt', '--key-id', kid, '--plaintext', text, '--encryption-context', JSON.stringify(CTX)]);
  assert.equal(cenc.KeyId, kid);
  const dec = await h.openApiCall(acs3, 'Decrypt', { CiphertextBlob: cenc.CiphertextBlob, EncryptionContext: JSON.stringify(CTX) });
  assert.equal(Buffer.from(dec.Plaintext, 'base64').toString('utf8'), text);
  const dec2 = await h.kmsCall(rpc, 'Decrypt', { CiphertextBlob: cenc.CiphertextBlob, EncryptionContext: JSON.stringify(CTX) });
  assert.equal(dec2.plaintext, dec.Plaintext);
});

test('cross-implementation: secret written by the Node SDK is read by kmskit get-secret', async () => {
  const name = uniq('node/cli');
  await h.kmsCall(rpc, 'CreateSecret', { SecretName: name, SecretData: 'from node & = + %', VersionId: 'v1' });
  const out = h.cli(emu, ['get-secret', '--secret-name', name]);
  assert.equal(out.SecretData, 'from node & = + %');
  assert.equal(out.VersionId, 'v1');
});
