// GTM's ___TESTS___ YAML → object, through python3's PyYAML (read-only, offline).
module.exports = (text) => JSON.parse(require('child_process').execFileSync('python3', ['-c', 'import sys,yaml,json;print(json.dumps(yaml.safe_load(sys.stdin.read())))'], { input: text }).toString());
