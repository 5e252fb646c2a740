// Layers, top to bottom. A module may import from its own layer and from those below it,
// never from above: data flows builder → ledger → gateway → board → drivers.
const layers = ['cli', 'ota', 'image', 'builder', 'kernel-js', 'userland', 'boards', 'drivers', 'lib'];

const above = (layer) => layers.slice(0, layers.indexOf(layer));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make layers impossible to reason about.',
      from: {},
      to: { circular: true },
    },
    ...layers.slice(1).map((layer) => ({
      name: `${layer}-imports-downward-only`,
      severity: 'error',
      comment: `${layer}/ may not import from a layer above it (${above(layer).join(', ')}).`,
      from: { path: `^${layer}/` },
      to: { path: `^(${above(layer).join('|')})/` },
    })),
    {
      name: 'tests-stay-out-of-production',
      severity: 'error',
      comment: 'Production code never imports a test or test fixture.',
      from: { pathNot: ['\\.test\\.ts$', '^test/', '^bench/'] },
      to: { path: ['\\.test\\.ts$', '^test/'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', 'templates/', '^userland/apps/', '^userland/sdk/assembly/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js'] },
    moduleSystems: ['es6'],
  },
};
