'use strict';
// Shared helpers for the Node interop suite: start the kmskit emulator, build official SDK
// clients (RPC-V1 @alicloud/kms20160120 and ACS3 @alicloud/openapi-client), run the kmskit CLI.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const REPO = path.resolve(__dirname, '../../../..');
const EMULATOR = process.env.KMSKIT_EMULATOR || path.join(REPO, 'target/debug/kmskit-emulator');
const CLI = process.env.KMSKIT_CLI || path.join(REPO, 'target/debug/kmskit');
const READY_TIMEOUT_MS = 20000;

for (const k of Object.keys(process.env)) {
  if (/^(http|https|all)_proxy$/i.test(k)) delete process.env[k];
}

function startEmulator() {
  if (!fs.existsSync(EMULATOR)) {
    return Promise.reject(new Error(`emulator binary not found at ${EMULATOR}; run cargo build -p kmskit-emulator or set KMSKIT_EMULATOR`));
  }
  return new Promise((resolve, reject) => {
    const proc = spawn(EMULATOR, ['--addr', '127.0.0.1:0', '--in-memory'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let done = false;
    const fail = (msg) => {
      if (done) return;
      done = true;
      proc.kill('SIGKILL');
      reject(new Error(`${msg}; stdout so far: ${JSON.stringify(out)}; stderr: ${err.slice(-3000)}`));
    };
    const timer = setTimeout(() => fail(`emulator not ready within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
    proc.stderr.on('data', (d) => { err += d; });
    proc.on('exit', (code) => fail(`emulator exited early with ${code}`));
    proc.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0 || done) return;
      clearTimeout(timer);
      let info;
      try {
        info = JSON.parse(out.slice(0, nl));
      } catch (e) {
        return fail(`ready line is not JSON: ${out.slice(0, nl)}`);
      }
      done = true;
      proc.removeAllListeners('exit');
      const m = /^http:\/\/([^/]+)\/?$/.exec(info.endpoint);
      if (!m) return reject(new Error(`unexpected endpoint ${info.endpoint}`));
      resolve({ ...info, hostport: m[1], proc, stderr: () => err });
    });
  });
}

function stopEmulator(emu) {
  return new Promise((resolve, reject) => {
    if (emu.proc.exitCode !== null || emu.proc.signalCode !== null) return resolve();
    const t = setTimeout(() => { emu.proc.kill('SIGKILL'); reject(new Error('emulator ignored SIGTERM for 10 s')); }, 10000);
    emu.proc.on('exit', () => { clearTimeout(t); resolve(); });
    emu.proc.kill('SIGTERM');
  });
}

async function admin(emu, method, p, body) {
  const res = await fetch(emu.endpoint.replace(/\/$/, '') + p, {
    method,
    headers: { authorization: `Bearer ${emu.admin_token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`admin ${method} ${p} -> ${res.status}: ${text}`);
  return text.trim() ? JSON.parse(text) : null;
}

// --- official SDK: @alicloud/kms20160120 (RPC V1, HMAC-SHA1) -----------------------------------
const KmsModule = require('@alicloud/kms20160120');
const Kms = KmsModule.default;
const RPC = require('@alicloud/rpc-client');

function kmsClient(emu, overrides = {}) {
  return new Kms(new RPC.Config({
    accessKeyId: emu.access_key_id,
    accessKeySecret: emu.access_key_secret,
    regionId: emu.region,
    endpoint: emu.hostport,
    protocol: 'http',
    readTimeout: 15000,
    connectTimeout: 5000,
    ...overrides,
  }));
}

// Calls `<action>` on the generated client with params by wire name (Request.names() reversed).
async function kmsCall(client, action, params) {
  const Req = KmsModule[`${action}Request`];
  const names = Req.names();
  const byWire = Object.fromEntries(Object.entries(names).map(([js, wire]) => [wire, js]));
  const init = {};
  for (const [wire, v] of Object.entries(params || {})) {
    if (!(wire in byWire)) throw new Error(`${action}Request has no field ${wire}`);
    init[byWire[wire]] = v;
  }
  const method = action[0].toLowerCase() + action.slice(1);
  return client[method](new Req(init));
}

// --- official SDK: @alicloud/openapi-client (ACS3-HMAC-SHA256 by default) ----------------------
const OpenApi = require('@alicloud/openapi-client');
const OpenApiUtil = require('@alicloud/openapi-util');
const TeaUtil = require('@alicloud/tea-util');

const BODY_PARAMS = new Set(['SecretData', 'Recipient']);

function openApiClient(emu, overrides = {}) {
  return new OpenApi.default(new OpenApi.Config({
    accessKeyId: emu.access_key_id,
    accessKeySecret: emu.access_key_secret,
    regionId: emu.region,
    endpoint: emu.hostport,
    protocol: 'http',
    readTimeout: 15000,
    connectTimeout: 5000,
    ...overrides,
  }));
}

// KMS's request shape as the generated SDKs build it: params in the query, SecretData/Recipient in
// a form body; map-typed params (EncryptionContext, SecretsList) JSON-encoded by the caller.
async function openApiCall(client, action, params, runtime = {}) {
  const query = {};
  const body = {};
  for (const [k, v] of Object.entries(params || {})) {
    (BODY_PARAMS.has(k) ? body : query)[k] = v;
  }
  const p = new OpenApi.Params({
    action, version: '2016-01-20', protocol: 'HTTP', pathname: '/', method: 'POST',
    authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json',
  });
  const req = new OpenApi.OpenApiRequest({
    query: OpenApiUtil.default.query(query),
    body: Object.keys(body).length ? OpenApiUtil.default.parseToMap(body) : undefined,
  });
  const res = await client.callApi(p, req, new TeaUtil.RuntimeOptions(runtime));
  if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
  return res.body;
}

// --- kmskit CLI ----------------------------------------------------------------------------------
function cli(emu, args, { secret, check = true } = {}) {
  if (!fs.existsSync(CLI)) throw new Error(`kmskit CLI not found at ${CLI}; run cargo build -p kmskit-cli or set KMSKIT_CLI`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ALIBABA_CLOUD_')));
  env.ALIBABA_CLOUD_ACCESS_KEY_ID = emu.access_key_id;
  env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = secret ?? emu.access_key_secret;
  const r = spawnSync(CLI, ['--endpoint', emu.endpoint, '--region', emu.region, ...args], { env, encoding: 'utf8', timeout: 60000 });
  if (!check) return r;
  if (r.status !== 0) throw new Error(`kmskit ${args.join(' ')} exited ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');

module.exports = { startEmulator, stopEmulator, admin, kmsClient, kmsCall, openApiClient, openApiCall, cli, b64 };
