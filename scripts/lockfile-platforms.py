# Adds lockfile entries for the platform-only optional packages of @swc/core and msgpackr-extract that the
# registry reachable here does not serve (so npm never records them), which npm 11.19's `npm ci` requires.
import json, collections, sys
p = sys.argv[1] if len(sys.argv) > 1 else 'package-lock.json'
d = json.load(open(p), object_pairs_hook=collections.OrderedDict)
pk = d['packages']
for parent in ['node_modules/@swc/core', 'node_modules/msgpackr-extract']:
    for dep, ver in pk[parent]['optionalDependencies'].items():
        key = 'node_modules/' + dep
        if key in pk:
            continue
        n = dep.split('/')[-1]
        os_ = 'darwin' if 'darwin' in n else 'win32' if 'win32' in n else 'linux'
        cpu = next(c for c in ['arm64', 'x64', 'ia32', 'ppc64', 's390x', 'arm'] if f'-{c}' in n)
        e = collections.OrderedDict(version=ver, cpu=[cpu])
        if pk[parent].get('dev'):
            e['dev'] = True
        if os_ == 'linux' and 'msgpackr' not in dep:
            e['libc'] = ['musl'] if 'musl' in n else ['glibc']
        e['optional'] = True
        e['os'] = [os_]
        pk[key] = e
        print('added', key)
d['packages'] = collections.OrderedDict(sorted(pk.items(), key=lambda kv: (kv[0] != '', kv[0])))
with open(p, 'w') as f:
    json.dump(d, f, indent=2)
    f.write('\n')
