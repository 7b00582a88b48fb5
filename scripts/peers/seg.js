// Pull each `options.json).toMatchObject({...})` literal (a request body Segment's test expects) with its test name.
const src = require('fs').readFileSync(process.argv[2], 'utf8');
const out = [];
const re = /it\('([^']+)'|options\.json\)\.toMatchObject\(/g;
let m, test = null;
while ((m = re.exec(src))) {
  if (m[1]) { test = m[1]; continue; }
  let i = re.lastIndex, depth = 0, j = i;
  for (; j < src.length; j++) { if (src[j] === '{') depth++; else if (src[j] === '}') { depth--; if (!depth) break; } }
  const lit = src.slice(i, j + 1);
  out.push({ test, body: new Function('return ' + lit)() });
}
console.log(JSON.stringify(out));
