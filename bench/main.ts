// `npm run bench [-- NAME...]`: runs the named benchmarks (all when none is named). Each prints
// its figures and the ratios it measured side by side in the same run; none of them asserts.
const BENCHES: Record<string, () => Promise<{ run(): void | Promise<void> }>> = {
  'bundle-scale': () => import('./bundle-scale.js'),
  'charm-runtime': () => import('./charm-runtime.js'),
  'cli-startup': () => import('./cli-startup.js'),
  'etcd-vs-ansible': () => import('./etcd-vs-ansible.js'),
  'hostile-input': () => import('./hostile-input.js'),
  'k8s-workers': () => import('./k8s-workers.js'),
  'remote-exec': () => import('./remote-exec.js'),
  'rolling-restart': () => import('./rolling-restart.js'),
  scale: () => import('./scale.js'),
};

const names = process.argv.slice(2);
const unknown = names.filter((n) => !(n in BENCHES));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`,
  );
  process.exit(2);
}
for (const name of names.length > 0 ? names : Object.keys(BENCHES)) {
  console.log(`== ${name}`);
  const load = BENCHES[name];
  if (load) await (await load()).run();
}
