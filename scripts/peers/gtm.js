// Runs a server-side GTM template's own test scenarios offline with a minimal sandbox API;
// prints each request the template hands to sendHttpRequest (url, body) per scenario.
// Usage: node gtm.js template.tpl [codeFrom.tpl]
const fs = require('fs');
const yaml = (t) => t; // scenarios parsed by hand below
const [tplFile, codeFile] = process.argv.slice(2);
const tpl = fs.readFileSync(tplFile, 'utf8');
const section = (t, name) => { const i = t.indexOf('___' + name + '___'); const rest = t.slice(i + name.length + 6); const j = rest.search(/\n___[A-Z_]+___/); return rest.slice(0, j < 0 ? undefined : j); };
const code = section(codeFile ? fs.readFileSync(codeFile, 'utf8') : tpl, 'SANDBOXED_JS_FOR_SERVER');
const testsYaml = section(tpl, 'TESTS');
const scenarios = require('./yaml_min.js')(testsYaml);
const deepEq = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const getType = (v) => v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
async function runScenario(sc, setup) {
  const mocks = {}; const calls = {}; const failures = []; const sent = []; const later = [];
  const base = {
    JSON: { parse: (s) => { try { return JSON.parse(s); } catch (e) { return undefined; } }, stringify: (v) => JSON.stringify(v) },
    Promise: { create: (f) => new Promise(f), all: (a) => Promise.all(a) },
    encodeUriComponent: encodeURIComponent, decodeUriComponent: decodeURIComponent,
    getAllEventData: () => ({}), getEventData: (k) => undefined, getCookieValues: () => [],
    getTimestampMillis: () => Date.now(), getType, logToConsole: () => {},
    makeInteger: (v) => Math.trunc(Number(v)), makeNumber: (v) => Number(v), makeString: (v) => String(v),
    makeTableMap: (rows, k, v) => { const o = {}; for (const r of rows || []) o[r[k]] = r[v]; return o; },
    parseUrl: (u) => { try { const x = new URL(u); const sp = {}; for (const [k, v] of x.searchParams) sp[k] = k in sp ? [].concat(sp[k], v) : v; return { href: x.href, hostname: x.hostname, searchParams: sp }; } catch (e) { return undefined; } },
    sendHttpRequest: () => Promise.resolve({ statusCode: 200, body: '{}' }),
    getContainerVersion: () => ({ containerId: 'GTM-TEST', debugMode: false, previewMode: false }),
    getRequestHeader: () => undefined, setCookie: () => {}, createRegex: (s, f) => new RegExp(s, f), testRegex: (r, s) => r.test(s),
    BigQuery: { insert: () => Promise.resolve() }, computeEffectiveTldPlusOne: () => 'example.com', callLater: (f) => later.push(f),
    Math, Object, getRemoteAddress: () => undefined, sha256Sync: (s) => s, isConsentGranted: () => true,
  };
  const api = (name) => {
    const f = (...args) => {
      (calls[name] = calls[name] || []).push(args);
      let impl = name in mocks ? mocks[name] : base[name];
      if (name in mocks && typeof impl !== 'function') return impl;
      if (name === 'sendHttpRequest') { sent.push({ url: args[0], body: typeof args[1] === 'function' ? args[3] : args[2] }); if (process.env.CAPTURE_ONLY) return Promise.resolve({ statusCode: 200, body: '{"message":"ok"}' }); }
      return impl(...args);
    };
    return f;
  };
  const requireApi = (name) => {
    const b = base[name];
    if (b && typeof b === 'object' && name !== 'getType') return name in mocks ? mocks[name] : b;
    return api(name);
  };
  const assertThat = (x) => { const fail = (m) => failures.push(m + ': ' + JSON.stringify(x)); const o = {
    isEqualTo: (y) => { if (!deepEq(x, y)) fail('expected ' + JSON.stringify(y)); return o; }, isNotEqualTo: (y) => { if (deepEq(x, y)) fail('not expected'); return o; },
    isDefined: () => { if (x === undefined) fail('undefined'); return o; }, isUndefined: () => { if (x !== undefined) fail('defined'); return o; },
    isFunction: () => o, isTrue: () => { if (x !== true) fail('not true'); return o; }, isFalse: () => { if (x !== false) fail('not false'); return o; },
    isNotEmpty: () => o, isString: () => o, isNumber: () => o, contains: () => o, isObject: () => o, isArray: () => o, isNull: () => o, isNotNull: () => o, isNotUndefined: () => o,
  }; return o; };
  const assertApi = (name) => ({ wasCalled: () => { if (!calls[name]) failures.push(name + ' not called'); }, wasNotCalled: () => { if (calls[name]) failures.push(name + ' called'); }, wasCalledWith: () => {} , wasCalledTimes: () => {} });
  const mock = (name, v) => { mocks[name] = v; };
  const runCode = (data) => {
    data = Object.assign({}, data, { gtmOnSuccess: api('gtmOnSuccess'), gtmOnFailure: api('gtmOnFailure') });
    base.gtmOnSuccess = () => {}; base.gtmOnFailure = () => {};
    try { new Function('require', 'data', code)(requireApi, data); } catch (e) { failures.push('template threw: ' + e.message); }
  };
  const testRequire = (name) => name === 'callLater' ? base.callLater : requireApi(name);
  try { new Function('require', 'mock', 'assertThat', 'assertApi', 'runCode', 'fail', setup + '\n' + sc.code)(testRequire, mock, assertThat, assertApi, runCode, (m) => failures.push(m)); }
  catch (e) { failures.push('test threw: ' + e.message); }
  await new Promise((r) => setTimeout(r, 5));
  for (const f of later) { try { f(); } catch (e) { failures.push('later: ' + e.message); } }
  return { name: sc.name, sent, failures };
}
(async () => {
  const out = [];
  for (const sc of scenarios.scenarios) out.push(await runScenario(sc, scenarios.setup || ''));
  console.log(JSON.stringify(out));
})();
