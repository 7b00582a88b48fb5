// Evaluate a TS fixture file (data only) with its imports stubbed; print every Reddit request body found.
const fs = require('fs');
const [file, label] = process.argv.slice(2);
let src = fs.readFileSync(file, 'utf8');
const stubs = [];
src = src.replace(/import\s*\{([^}]*)\}\s*from\s*['"][^'"]+['"];?/g, (_, names) => {
  for (const n of names.split(',').map(s => s.trim()).filter(Boolean)) stubs.push(n.split(/\s+as\s+/).pop());
  return '';
});
src = src.replace(/import\s+(\w+)\s+from\s*['"][^'"]+['"];?/g, (_, n) => { stubs.push(n); return ''; });
src = src.replace(/export\s+const\s+(\w+)\s*(:[^=]+)?=/g, 'exports.$1 =');
src = src.replace(/export\s+default\s+/g, 'exports.default = ');
src = src.replace(/\s+as\s+const\b/g, '').replace(/\)\s+as\s+[A-Za-z_<>\[\]]+/g, ')');
src = src.replace(/\b(const|let)\s+(\w+)\s*:\s*[A-Za-z_<>\[\]]+\s*=/g, '$1 $2 =');
const stubFn = (...a) => (a.length && typeof a[0] === 'object' ? a[0] : 'STUB');
const exportsObj = {};
const f = new Function('exports', ...stubs, src);
f(exportsObj, ...stubs.map(() => new Proxy(stubFn, { get: (t, p) => (p === Symbol.toPrimitive ? () => 'STUB' : p === 'toString' ? () => 'STUB' : 'STUB') })));
const out = [];
const seen = new Set();
function walk(v, path, ctx) {
  if (!v || typeof v !== 'object' || seen.has(v)) return;
  seen.add(v);
  if (typeof v.description === 'string') ctx = v.description;
  if (typeof v.name === 'string' && !ctx) ctx = v.name;
  if (typeof v.endpoint === 'string' && /reddit/.test(v.endpoint)) {
    const body = v.JSON || (v.body && v.body.JSON);
    if (body && Object.keys(body).length) out.push({ test: ctx, endpoint: v.endpoint, body });
  }
  if (v.httpReq && typeof v.httpReq.url === 'string') out.push({ test: ctx || 'networkCallsData', endpoint: v.httpReq.url, body: v.httpReq.data, reply: v.httpRes });
  for (const [k, c] of Object.entries(v)) walk(c, path + '.' + k, ctx);
}
walk(exportsObj, '', null);
console.log(JSON.stringify(out));
