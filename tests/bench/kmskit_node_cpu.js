#!/usr/bin/env node
'use strict';
// Client CPU per Encrypt of kmskit's Node face, measured exactly like official_node_cpu.js:
//   node kmskit_node_cpu.js --port PORT [--calls N] [--warmup W]
// Sequential awaited client.encrypt() with ACS3 signing against the trivial keep-alive server on
// 127.0.0.1:PORT (tests/bench/trivial_server.py, its own process). user/sys = process.cpuUsage()
// deltas of the whole process (the face's tokio threads included); prints one JSON line.
const path = require('node:path');
const { Client, AccessKey, version } = require(path.resolve(__dirname, '../../bindings/node'));

function args() {
  const a = { port: 0, calls: 3000, warmup: 200 };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i].replace(/^--/, '');
    if (!(k in a)) throw new Error(`unknown argument ${argv[i]}`);
    a[k] = Number(argv[++i]);
  }
  if (!a.port) throw new Error('--port is required');
  return a;
}

async function main() {
  const a = args();
  const client = new Client({
    endpoint: `http://127.0.0.1:${a.port}`,
    region: 'cn-hangzhou',
    credentials: new AccessKey('LTAI5tFakeAccessKeyId01', 'FakeAccessKeySecretForVectors0123456789'),
  });
  const plaintext = Buffer.from('Hello world, this is a secret');
  const opts = { encryptionContext: { app: 'billing' } };
  const one = async () => {
    const r = await client.encrypt('alias/app', plaintext, opts);
    if (!r.ciphertextBlob.startsWith('ODZhOWVmZDktM2QxNi00ODk0')) throw new Error(`unexpected response ${JSON.stringify(r)}`);
  };
  for (let i = 0; i < a.warmup; i++) await one();
  const u0 = process.cpuUsage();
  const w0 = process.hrtime.bigint();
  for (let i = 0; i < a.calls; i++) await one();
  const w1 = process.hrtime.bigint();
  const du = process.cpuUsage(u0);
  const n = a.calls;
  const r2 = (x) => Math.round(x * 100) / 100;
  console.log(JSON.stringify({
    client: 'kmskit-node',
    calls: n,
    cpu_us_per_call: r2((du.user + du.system) / n),
    user_us_per_call: r2(du.user / n),
    sys_us_per_call: r2(du.system / n),
    wall_us_per_call: r2(Number(w1 - w0) / 1000 / n),
    sdk: `kmskit ${version}`,
    api: 'Client.encrypt (Promise)',
    signing: 'ACS3-HMAC-SHA256',
    runtime: `node ${process.version}`,
    warmup: a.warmup,
  }));
}

main().catch((e) => { console.error((e && e.stack) || e); process.exit(1); });
