#!/usr/bin/env node
// Runs JSON Lines events (stdin) through Segment's release with one configuration and prints
// what it does with each, single and in one batch: for finding out what the release does.
//
//   node probe.js [CONFIGURATION NAME (default Purchase)] < events.jsonl
'use strict'
const fs = require('fs')
const nodePath = require('path')
const fetchModule = require(nodePath.join(nodePath.dirname(require.resolve('@segment/actions-core')), 'fetch.js'))
let captured = []
fetchModule.default = async (request) => {
  captured.push(await request.text())
  return new fetchModule.Response('{}', { status: 200, headers: { 'content-type': 'application/json' } })
}
const { Destination, defaultValues } = require('@segment/actions-core')
const definition = require('@segment/action-destinations/dist/destinations/reddit-conversions-api').default
const { CUSTOM } = require('./configs')
const destination = new Destination(definition)
const SETTINGS = { ad_account_id: 'a2_differential', conversion_token: 'differential-token-0000', test_mode: false }
const name = process.argv[2] || 'Purchase'
const preset = definition.presets.find((p) => p.name === name)
const custom = CUSTOM.find((c) => c.name === name)
const action = preset ? preset.partnerAction : custom.action
const mapping = preset ? preset.mapping : { ...defaultValues(definition.actions[custom.action].fields), ...custom.mapping }
const events = fs.readFileSync(0, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
;(async () => {
  for (const event of events) {
    captured = []
    try {
      await destination.executeAction(action, { event, mapping, settings: SETTINGS })
      console.log('single:', captured[0])
    } catch (e) {
      console.log('single threw:', e.message)
    }
  }
  captured = []
  try {
    const statuses = await destination.executeBatch(action, { events, mapping, settings: SETTINGS })
    console.log('batch:', JSON.stringify(statuses.map((s) => s.status)), captured[0])
  } catch (e) {
    console.log('batch threw:', e.message)
  }
})()
