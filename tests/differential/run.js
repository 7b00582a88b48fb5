#!/usr/bin/env node
// The differential harness: the console's `segment` profile against Segment's published Reddit
// Conversions API destination (the versions pinned in package.json), single and batch mode, on
// seeded generated events through every configuration in configs.js.
//
//   node run.js --bin PATH [--events N] [--seed S] [--batch-sizes B,B…] [--out DIR] [--show N]
//
// The release is called through its Destination's executeAction / executeBatch (not the test
// helpers, which pad events with random defaults) with fetch stubbed: nothing leaves the machine.
// The console runs as `PATH preview --mapping NAME [--batch --batch-size B]`, once per batch size.
// Prints the agreement per configuration and per class of event (generate.js's CLASSES: where a
// port of JavaScript drifts) and every divergence (the event and both outputs, the first N on
// screen, all of them in DIR/divergences.jsonl); exits 1 on any divergence.
'use strict'

const fs = require('fs')
const os = require('os')
const nodePath = require('path')
const { spawnSync } = require('child_process')
const { generateTexts, text, CLASSES } = require('./generate')
const { PRESETS, CUSTOM } = require('./configs')

const args = process.argv.slice(2)
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : dflt
}
const BIN = opt('bin')
const N = Number(opt('events', 2000))
const SEED = Number(opt('seed', 20261201))
const BATCHES = String(opt('batch-sizes', opt('batch-size', '1,7,1000'))).split(',').map(Number)
const SHOW = Number(opt('show', 5))
const OUT = opt('out', fs.mkdtempSync(nodePath.join(os.tmpdir(), 'differential-')))
if (!BIN) {
  console.error('usage: node run.js --bin PATH [--events N] [--seed S] [--batch-sizes B,B…] [--out DIR] [--show N]')
  process.exit(2)
}

// fetch stubbed before the destination loads: every request is captured and answered 200.
// (by file: the package's exports map hides the module)
const fetchModule = require(nodePath.join(nodePath.dirname(require.resolve('@segment/actions-core')), 'fetch.js'))
const { Response } = fetchModule
let captured = []
fetchModule.default = async (request) => {
  captured.push({ url: request.url, method: request.method, body: await request.text() })
  return new Response('{"message": "Successfully processed conversion events."}', {
    status: 200,
    headers: { 'content-type': 'application/json' }
  })
}
const { Destination, defaultValues } = require('@segment/actions-core')
const definition = require('@segment/action-destinations/dist/destinations/reddit-conversions-api').default
const releaseVersion = require('@segment/action-destinations/package.json').version
const coreVersion = JSON.parse(
  fs.readFileSync(nodePath.join(__dirname, 'node_modules/@segment/actions-core/package.json'), 'utf8')
).version
const destination = new Destination(definition)

// The console names the release it reproduces in one place; it must be the one installed here.
{
  const pinned = fs.readFileSync(nodePath.join(__dirname, '../../crates/core/src/mapping/release.rs'), 'utf8')
  const version = (name) => (pinned.match(new RegExp(`${name}: &str = "([^"]+)"`)) || [])[1]
  if (version('ACTION_DESTINATIONS_VERSION') !== releaseVersion || version('ACTIONS_CORE_VERSION') !== coreVersion) {
    console.error(
      `crates/core/src/mapping/release.rs names ${version('ACTION_DESTINATIONS_VERSION')} / ${version('ACTIONS_CORE_VERSION')}, ` +
        `but ${releaseVersion} / ${coreVersion} is installed: bump one or the other`
    )
    process.exit(2)
  }
}

const PIXEL = 'a2_differential'
const SETTINGS = { ad_account_id: PIXEL, conversion_token: 'differential-token-0000', test_mode: false }
const WORKSPACE_SETTINGS = { pixel_id: PIXEL, api_version: 'v2.0', test_mode: false, profile: 'segment', partner: 'SEGMENT' }

// Each configuration: the release's action and full mapping, and the console's workspace mapping.
function configurations() {
  const out = []
  for (const name of PRESETS) {
    const preset = definition.presets.find((p) => p.name === name)
    if (!preset) throw new Error(`the release has no preset ${name}`)
    out.push({ name, action: preset.partnerAction, mapping: preset.mapping, workspace: { name, preset: name } })
  }
  for (const c of CUSTOM) {
    const defaults = defaultValues(definition.actions[c.action].fields)
    out.push({
      name: c.name,
      action: c.action,
      mapping: { ...defaults, ...c.mapping },
      workspace: { name: c.name, action: c.action, subscribe: 'type = "track"', mapping: c.mapping }
    })
  }
  return out
}

const errorText = (e) => `${e && e.name ? e.name + ': ' : ''}${e && e.message ? e.message : String(e)}`

// The release, one event at a time: the body sent, or the error thrown.
async function releaseSingle(config, events) {
  const results = []
  for (const event of events) {
    captured = []
    try {
      await destination.executeAction(config.action, { event, mapping: config.mapping, settings: SETTINGS })
      if (captured.length !== 1) throw new Error(`expected one request, saw ${captured.length}`)
      results.push({ url: captured[0].url, body: captured[0].body })
    } catch (e) {
      results.push({ error: errorText(e) })
    }
  }
  return results
}

// The release, in batches of BATCH events: the body sent and the indexes refused (multistatus
// 400), or the error thrown for the whole batch.
async function releaseBatch(config, events, BATCH) {
  const results = []
  for (let start = 0; start < events.length; start += BATCH) {
    const chunk = events.slice(start, start + BATCH)
    captured = []
    try {
      const statuses = await destination.executeBatch(config.action, {
        events: chunk,
        mapping: config.mapping,
        settings: SETTINGS
      })
      const refused = []
      statuses.forEach((s, i) => {
        if (s && s.status === 400) refused.push(start + i)
      })
      results.push({ start, refused, requests: captured.map((c) => ({ url: c.url, body: c.body })) })
    } catch (e) {
      results.push({ start, thrown: errorText(e) })
    }
  }
  return results
}

// The raw text of `"body": …` in a preview JSON line (numbers exactly as printed).
function rawBody(line) {
  const at = line.indexOf('"body":')
  let i = at + 7
  const start = i
  let depth = 0
  let inString = false
  for (; i < line.length; i++) {
    const ch = line[i]
    if (inString) {
      if (ch === '\\') i++
      else if (ch === '"') inString = false
    } else if (ch === '"') inString = true
    else if (ch === '{' || ch === '[') depth++
    else if (ch === '}' || ch === ']') {
      depth--
      if (depth === 0) return line.slice(start, i + 1)
    }
  }
  throw new Error(`no body in ${line}`)
}

function consolePreview(config, eventsFile, workspaceFile, batch, BATCH) {
  const argv = ['preview', '--workspace', workspaceFile, '--mapping', config.name, '--format', 'json']
  if (batch) argv.push('--batch', '--batch-size', String(BATCH))
  argv.push(eventsFile)
  const env = { ...process.env, REDDIT_CAPI_CONSOLE_KEYCHAIN: 'off', REDDIT_CAPI_CONSOLE_HOME: OUT }
  delete env.REDDIT_CONVERSION_TOKEN
  const run = spawnSync(BIN, argv, { env, maxBuffer: 1 << 30, encoding: 'utf8' })
  if (run.status !== 0 && run.status !== 1) throw new Error(`${BIN} ${argv.join(' ')}: ${run.stderr}`)
  return run.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const item = JSON.parse(line)
      if (item.request) item.rawBody = rawBody(line)
      return item
    })
}

function compareSingle(config, events, release, lines) {
  const mine = new Map()
  for (const item of lines) mine.set(item.event_index, item)
  const divergences = []
  events.forEach((event, i) => {
    const theirs = release[i]
    const ours = mine.get(i)
    let same
    if (!ours) same = false
    else if (config.action === 'redditPlugin') same = ours.web_only === true
    else if (theirs.error !== undefined) same = ours.error !== undefined
    else same = ours.request !== undefined && ours.rawBody === theirs.body && ours.request.url === theirs.url
    if (!same) {
      divergences.push({
        config: config.name,
        mode: 'single',
        event_index: i,
        event,
        release: theirs,
        console: ours ? (ours.request ? { url: ours.request.url, body: ours.rawBody } : ours) : null
      })
    }
  })
  return divergences
}

function compareBatch(config, events, release, lines, BATCH) {
  const divergences = []
  const requests = lines.filter((l) => l.request)
  const refusedByIndex = new Map(lines.filter((l) => l.error).map((l) => [l.event_index, l.error]))
  for (const chunk of release) {
    const end = Math.min(chunk.start + BATCH, events.length)
    const inChunk = (i) => i >= chunk.start && i < end
    const ours = requests.filter((r) => r.event_indexes.some(inChunk))
    const oursRefused = [...refusedByIndex.keys()].filter(inChunk).sort((a, b) => a - b)
    let same
    if (chunk.thrown !== undefined) same = ours.length === 0 && oursRefused.length === end - chunk.start
    else if (chunk.requests.length === 0) same = ours.length === 0 && oursRefused.length === end - chunk.start
    else {
      same =
        ours.length === 1 &&
        chunk.requests.length === 1 &&
        ours[0].rawBody === chunk.requests[0].body &&
        ours[0].request.url === chunk.requests[0].url &&
        JSON.stringify(oursRefused) === JSON.stringify(chunk.refused)
    }
    if (!same) {
      divergences.push({
        config: config.name,
        mode: `batch of ${BATCH}`,
        event_indexes: [chunk.start, end - 1],
        events: events.slice(chunk.start, end),
        release: chunk,
        console: {
          requests: ours.map((r) => ({ event_indexes: r.event_indexes, body: r.rawBody })),
          refused: oursRefused.map((i) => ({ event_index: i, error: refusedByIndex.get(i) }))
        }
      })
    }
  }
  return divergences
}

async function main() {
  const started = Date.now()
  // Every tenth event has its whole numbers written as `n.0` and every tenth (other) one in
  // exponent form: JSON texts other tools write. Both sides read the same text.
  const items = generateTexts(SEED, N)
  const lines = items.map((item, i) =>
    text(item, (t) => {
      if (i % 10 === 3) return t.replace(/":(-?\d+)([,}\]])/g, '":$1.0$2')
      if (i % 10 === 7) return t.replace(/":(-?[1-9]\d*?)(0+)([,}\]])/g, (_, a, z, end) => `":${a}e${z.length}${end}`)
      return t
    })
  )
  const events = lines.map((l) => JSON.parse(l))
  fs.mkdirSync(OUT, { recursive: true, mode: 0o700 })
  const eventsFile = nodePath.join(OUT, 'events.jsonl')
  fs.writeFileSync(eventsFile, lines.join('\n') + '\n')
  const configs = configurations()
  const workspaceFile = nodePath.join(OUT, 'workspace.json')
  fs.writeFileSync(
    workspaceFile,
    JSON.stringify({
      format: 'reddit-capi-console/workspace',
      version: 1,
      settings: WORKSPACE_SETTINGS,
      mappings: configs.map((c) => c.workspace)
    })
  )
  // Agreement per class: single events of the class, and batches holding one.
  const classNames = ['(none)', ...Object.keys(CLASSES)]
  const classesOf = (i) => (items[i].classes.length ? items[i].classes : ['(none)'])
  const perClass = {}
  const tally = (mode, classes, same) => {
    for (const c of classes) {
      const row = (perClass[c] = perClass[c] || {})
      const cell = (row[mode] = row[mode] || { agree: 0, of: 0 })
      cell.of++
      if (same) cell.agree++
    }
  }
  const all = []
  const table = []
  for (const config of configs) {
    const row = { config: config.name, batches: {} }
    const releaseSingleResults = config.action === 'redditPlugin' ? [] : await releaseSingle(config, events)
    {
      const lines = consolePreview(config, eventsFile, workspaceFile, false)
      const divergences = compareSingle(config, events, releaseSingleResults, lines)
      const diverged = new Set(divergences.map((d) => d.event_index))
      events.forEach((_, i) => tally('single', classesOf(i), !diverged.has(i)))
      row.single = { agree: N - divergences.length, of: N }
      const refused = releaseSingleResults.filter((r) => r.error !== undefined).length
      row.singleKinds = config.action === 'redditPlugin' ? 'web only' : `${N - refused} sent, ${refused} refused`
      all.push(...divergences)
    }
    // Web only at Segment: the release has no such cloud action; the console explains it.
    if (config.action === 'redditPlugin') {
      table.push(row)
      continue
    }
    for (const size of BATCHES) {
      const lines = consolePreview(config, eventsFile, workspaceFile, true, size)
      const release = await releaseBatch(config, events, size)
      const divergences = compareBatch(config, events, release, lines, size)
      const diverged = new Set(divergences.map((d) => d.event_indexes[0]))
      for (const chunk of release) {
        const end = Math.min(chunk.start + size, N)
        const classes = new Set()
        for (let i = chunk.start; i < end; i++) classesOf(i).forEach((c) => classes.add(c))
        tally(`batch of ${size}`, classes, !diverged.has(chunk.start))
      }
      const thrown = release.filter((c) => c.thrown !== undefined).length
      row.batches[size] = { agree: release.length - divergences.length, of: release.length, thrown }
      all.push(...divergences)
    }
    table.push(row)
  }
  const pct = (c) => (!c || c.of === 0 ? 'n/a' : `${c.agree}/${c.of} (${((100 * c.agree) / c.of).toFixed(2)} %)`)
  console.log(
    `Segment release: @segment/action-destinations ${releaseVersion}, @segment/actions-core ${coreVersion}; ` +
      `${N} events, seed ${SEED}, batches of ${BATCHES.join(', ')}`
  )
  const sizes = BATCHES.map((b) => `batches of ${b}: agree (thrown)`)
  console.log(`| configuration | single: agree (events) | release sent / refused | ${sizes.join(' | ')} |`)
  console.log(`| --- | --- | --- | ${BATCHES.map(() => '---').join(' | ')} |`)
  for (const row of table) {
    const cells = BATCHES.map((b) => (row.batches[b] ? `${pct(row.batches[b])} (${row.batches[b].thrown})` : 'n/a'))
    console.log(`| ${row.config} | ${pct(row.single)} | ${row.singleKinds} | ${cells.join(' | ')} |`)
  }
  console.log('')
  const modes = ['single', ...BATCHES.map((b) => `batch of ${b}`)]
  console.log(`| class of event | events | ${modes.map((m) => (m === 'single' ? 'single events' : `${m.replace('batch', 'batches')} holding one`)).join(' | ')} |`)
  console.log(`| --- | --- | ${modes.map(() => '---').join(' | ')} |`)
  for (const c of classNames) {
    const count = items.filter((_, i) => classesOf(i).includes(c)).length
    console.log(`| ${c} | ${count} | ${modes.map((m) => pct(perClass[c] && perClass[c][m])).join(' | ')} |`)
  }
  fs.writeFileSync(nodePath.join(OUT, 'divergences.jsonl'), all.map((d) => JSON.stringify(d)).join('\n'))
  for (const d of all.slice(0, SHOW)) console.log(JSON.stringify(d, null, 1))
  console.log(`${all.length} divergences (all in ${nodePath.join(OUT, 'divergences.jsonl')}); ${((Date.now() - started) / 1000).toFixed(1)} s`)
  process.exit(all.length === 0 ? 0 : 1)
}

main().catch((e) => {
  console.error(e)
  process.exit(2)
})
