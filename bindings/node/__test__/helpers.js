'use strict'
// Test helpers: start and stop the kmskit emulator, call its admin API, make clients.
const { spawn } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const REPO = path.resolve(__dirname, '../../..')
const EMULATOR = process.env.KMSKIT_EMULATOR || path.join(REPO, 'target/debug/kmskit-emulator')
// The package under test: this directory by default, an installed copy when the script says so.
const PACKAGE = process.env.KMSKIT_NODE_PACKAGE || path.resolve(__dirname, '..')
const kmskit = require(PACKAGE)

// The emulator is on loopback; a proxy from the environment must not be consulted.
for (const k of Object.keys(process.env)) {
  if (/^(http|https|all)_proxy$/i.test(k)) delete process.env[k]
}

function startEmulator(extraArgs = []) {
  if (!fs.existsSync(EMULATOR)) {
    return Promise.reject(new Error(`emulator not found at ${EMULATOR}: cargo build -p kmskit-emulator, or set KMSKIT_EMULATOR`))
  }
  return new Promise((resolve, reject) => {
    const proc = spawn(EMULATOR, ['--addr', '127.0.0.1:0', '--in-memory', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    let settled = false
    const fail = (why) => {
      if (settled) return
      settled = true
      proc.kill('SIGKILL')
      reject(new Error(`${why}; stderr: ${err.slice(-2000)}`))
    }
    const timer = setTimeout(() => fail('emulator not ready within 20 s'), 20000)
    proc.stderr.on('data', (d) => { err += d })
    proc.on('exit', (code) => fail(`emulator exited early (${code})`))
    proc.stdout.on('data', (d) => {
      out += d
      const nl = out.indexOf('\n')
      if (nl < 0 || settled) return
      clearTimeout(timer)
      settled = true
      proc.removeAllListeners('exit')
      try {
        resolve({ ...JSON.parse(out.slice(0, nl)), proc })
      } catch (e) {
        proc.kill('SIGKILL')
        reject(new Error(`ready line is not JSON: ${out.slice(0, nl)}`))
      }
    })
  })
}

function stopEmulator(emu) {
  return new Promise((resolve) => {
    if (!emu || emu.proc.exitCode !== null || emu.proc.signalCode !== null) return resolve()
    const t = setTimeout(() => emu.proc.kill('SIGKILL'), 10000)
    emu.proc.on('exit', () => { clearTimeout(t); resolve() })
    emu.proc.kill('SIGTERM')
  })
}

async function admin(emu, method, p, body) {
  const res = await fetch(emu.endpoint.replace(/\/$/, '') + p, {
    method,
    headers: { authorization: `Bearer ${emu.admin_token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`admin ${method} ${p} -> ${res.status}: ${text}`)
  return text.trim() ? JSON.parse(text) : null
}

function client(emu, extra = {}) {
  return new kmskit.Client({
    endpoint: emu.endpoint,
    region: emu.region,
    credentials: new kmskit.AccessKey(emu.access_key_id, emu.access_key_secret),
    ...extra,
  })
}

async function createKey(c) {
  const r = await c.call('CreateKey', { KeySpec: 'Aliyun_AES_256' })
  return r.KeyMetadata.KeyId
}

async function requests(emu, action) {
  const stats = await admin(emu, 'GET', '/_emulator/stats')
  return (stats.requests || {})[action] || 0
}

module.exports = { kmskit, PACKAGE, REPO, startEmulator, stopEmulator, admin, client, createKey, requests }
