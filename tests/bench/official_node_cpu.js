#!/usr/bin/env node
'use strict';
// Client CPU per Encrypt of the official Alibaba Cloud Node SDKs (installed by scripts/setup-interop
// in tests/interop/node/node_modules).
//
//   node official_node_cpu.js --port PORT [--calls N] [--warmup W] [--sdk openapi|kms]
//
// --sdk openapi (default): @alicloud/openapi-client 0.4.15 generic callApi for Encrypt, with its
//   default signing V3 (ACS3-HMAC-SHA256), built the way the generated SDKs and our interop
//   harness build it (params in the query, EncryptionContext as its JSON text).
// --sdk kms: @alicloud/kms20160120 1.2.0 client.encrypt() (rpc-client, RPC V1 HMAC-SHA1; the
//   only scheme that package has). EncryptionContext passed as JSON text, see interop.test.js.
//
// Fake AK credentials, protocol http against a trivial keep-alive server on 127.0.0.1:PORT
// (tests/bench/trivial_server.py, its own process). After W warm-up calls it times N sequential
// awaited calls and prints one JSON line:
//   {"client":"official-node","calls":N,"cpu_us_per_call":..,"user_us_per_call":..,
//    "sys_us_per_call":..,"wall_us_per_call":..,...}
// user/sys = process.cpuUsage() deltas (whole process, all threads incl. V8/libuv helpers);
// cpu = user + sys; wall = process.hrtime.bigint() delta.
const path = require('node:path');
const { createRequire } = require('node:module');

for (const k of Object.keys(process.env)) {
  if (/^(http|https|all)_proxy$/i.test(k)) delete process.env[k];
}

const NODE_DIR = path.resolve(__dirname, '../interop/node');
const req = createRequire(path.join(NODE_DIR, 'package.json'));
const ver = (p) => req(`${p}/package.json`).version;

function args() {
  const a = { port: 0, calls: 3000, warmup: 200, sdk: 'openapi' };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i].replace(/^--/, '');
    if (!(k in a)) throw new Error(`unknown argument ${argv[i]}`);
    const v = argv[++i];
    a[k] = typeof a[k] === 'number' ? Number(v) : v;
  }
  if (!a.port) throw new Error('--port is required');
  if (!['openapi', 'kms'].includes(a.sdk)) throw new Error(`--sdk must be openapi or kms, not ${a.sdk}`);
  return a;
}

const AK = 'LTAI5tFakeAccessKeyId01';
const SECRET = 'FakeAccessKeySecretForVectors0123456789';
const PLAINTEXT = Buffer.from('Hello world, this is a secret', 'utf8').toString('base64');
const CONTEXT = JSON.stringify({ app: 'billing' });
const EXPECTED_BLOB_PREFIX = 'ODZhOWVmZDktM2QxNi00ODk0';

function openapiCaller(endpoint) {
  const OpenApi = req('@alicloud/openapi-client');
  const OpenApiUtil = req('@alicloud/openapi-util');
  const TeaUtil = req('@alicloud/tea-util');
  const client = new OpenApi.default(new OpenApi.Config({
    accessKeyId: AK, accessKeySecret: SECRET, regionId: 'cn-hangzhou', endpoint, protocol: 'http',
    readTimeout: 15000, connectTimeout: 5000,
  }));
  const call = async () => {
    const params = new OpenApi.Params({
      action: 'Encrypt', version: '2016-01-20', protocol: 'HTTP', pathname: '/', method: 'POST',
      authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json',
    });
    const request = new OpenApi.OpenApiRequest({
      query: OpenApiUtil.default.query({ KeyId: 'alias/app', Plaintext: PLAINTEXT, EncryptionContext: CONTEXT }),
    });
    const res = await client.callApi(params, request, new TeaUtil.RuntimeOptions({}));
    if (res.statusCode !== 200 || !String(res.body.CiphertextBlob).startsWith(EXPECTED_BLOB_PREFIX)) {
      throw new Error(`unexpected response ${res.statusCode} ${JSON.stringify(res.body)}`);
    }
  };
  return {
    call,
    sdk: `@alicloud/openapi-client@${ver('@alicloud/openapi-client')}`,
    api: 'OpenApi.Client.callApi (generic, Params style RPC, keep-alive default agent)',
    signing: 'ACS3-HMAC-SHA256 (SDK default, V3)',
  };
}

function kmsCaller(endpoint) {
  const Kms = req('@alicloud/kms20160120');
  const RPC = req('@alicloud/rpc-client');
  const client = new Kms.default(new RPC.Config({
    accessKeyId: AK, accessKeySecret: SECRET, regionId: 'cn-hangzhou', endpoint, protocol: 'http',
    readTimeout: 15000, connectTimeout: 5000,
  }));
  const call = async () => {
    const res = await client.encrypt(new Kms.EncryptRequest({
      keyId: 'alias/app', plaintext: PLAINTEXT, encryptionContext: CONTEXT,
    }));
    if (!String(res.ciphertextBlob).startsWith(EXPECTED_BLOB_PREFIX)) {
      throw new Error(`unexpected response ${JSON.stringify(res)}`);
    }
  };
  return {
    call,
    sdk: `@alicloud/kms20160120@${ver('@alicloud/kms20160120')} (@alicloud/rpc-client@${ver('@alicloud/rpc-client')})`,
    api: 'Kms.encrypt (generated client, keep-alive default agent)',
    signing: 'RPC V1 HMAC-SHA1 (the only scheme of this package)',
  };
}

async function main() {
  const a = args();
  const endpoint = `127.0.0.1:${a.port}`;
  const c = a.sdk === 'openapi' ? openapiCaller(endpoint) : kmsCaller(endpoint);

  for (let i = 0; i < a.warmup; i++) await c.call();

  const u0 = process.cpuUsage();
  const w0 = process.hrtime.bigint();
  for (let i = 0; i < a.calls; i++) await c.call();
  const w1 = process.hrtime.bigint();
  const du = process.cpuUsage(u0);

  const n = a.calls;
  const r2 = (x) => Math.round(x * 100) / 100;
  console.log(JSON.stringify({
    client: a.sdk === 'openapi' ? 'official-node' : 'official-node-rpc-v1',
    calls: n,
    cpu_us_per_call: r2((du.user + du.system) / n),
    user_us_per_call: r2(du.user / n),
    sys_us_per_call: r2(du.system / n),
    wall_us_per_call: r2(Number(w1 - w0) / 1000 / n),
    sdk: c.sdk,
    api: c.api,
    signing: c.signing,
    runtime: `node ${process.version}`,
    warmup: a.warmup,
  }));
}

main().catch((e) => { console.error(e && e.stack || e); process.exit(1); });
