// The walls between the rooms of the tree (README, Layout), checked by `npm run lint`.
// Infra (the CDK app and the local stand-ins) and bench speak AWS by nature and are left out of the
// storage wall; every rule reads the imports of functions/, shared/ and agent/.
// .dependency-cruiser-known-violations.json lists what still breaks a rule (nothing today):
// `npm run lint` lets those pass and fails on anything new. Regenerate it with
// `npx depcruise-baseline shared agent functions infra` only when the list shrinks.
const STORAGE = '(^|/)(store|storage|aws)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import circles.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'aws-sdk-only-in-storage',
      severity: 'error',
      comment: 'Only store/, storage/ and aws/ modules speak to AWS; the others call them.',
      from: { path: '^(shared|agent|functions)/', pathNot: STORAGE },
      to: { path: '@aws-sdk/' },
    },
    {
      name: 'keys-only-in-storage',
      severity: 'error',
      comment: "A dialect's store/keys is read by its store modules only.",
      from: { path: '^(shared|agent|functions)/', pathNot: STORAGE },
      to: { path: '(^|/)store/keys\\.ts$' },
    },
    {
      name: 'http-imported-by-nothing-below',
      severity: 'error',
      comment: "A dialect's http/ (routes, rendering) is the top room: services, store and the rest never import it.",
      from: { path: '^shared/(nomad|gitlab|codearts)/', pathNot: '^shared/(nomad|gitlab|codearts)/http/' },
      to: { path: '^shared/(nomad|gitlab|codearts)/http/' },
    },
    {
      name: 'app-http-imported-by-entry-points-only',
      severity: 'error',
      comment: 'shared/http/ (the one Hono app) is mounted by the entry points and the dialect routers only.',
      from: { path: '^shared/', pathNot: '^shared/(http|nomad/http|gitlab/http|codearts/http)/' },
      to: { path: '^shared/http/' },
    },
    {
      name: 'scheduler-is-pure',
      severity: 'error',
      comment: 'The scheduler reads only structs/ and util/ (itself and libraries aside): pure functions of their input.',
      from: { path: '^shared/nomad/scheduler/' },
      to: {
        pathNot: ['^shared/nomad/(scheduler|structs)/', '^shared/util/'],
        dependencyTypesNot: ['core', 'npm'],
      },
    },
    {
      name: 'dialects-meet-through-facades',
      severity: 'error',
      comment: "A dialect reaches another only through that dialect's facade (shared/<dialect>/engine.ts).",
      from: { path: '^shared/(nomad|gitlab|codearts)/' },
      to: {
        path: '^shared/(nomad|gitlab|codearts)/',
        pathNot: ['^shared/$1/', '^shared/(nomad|gitlab|codearts)/engine\\.ts$'],
      },
    },
    {
      name: 'nomad-responses-rendered-above-services',
      severity: 'error',
      comment:
        "Nomad's response shapes (wire/) are rendered by http/ (and the event stream's events/) from what services return; " +
        'below them only the protocol modules shared with the agent and the queue are imported, and wire types may be named.',
      from: { path: '^shared/nomad/', pathNot: '^shared/nomad/(http|wire|events)/' },
      to: {
        path: '^shared/nomad/wire/',
        pathNot: '^shared/nomad/wire/(client-protocol|channel-protocol|client-rpc-protocol|eval-message|log-frames)\\.ts$',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'nomad-wire-is-pure',
      severity: 'error',
      comment:
        'A wire/ renderer is a pure function of what it is given: it names store and service types, but calls no store, ' +
        "service, worker or AWS module (server-identity.ts aside: the one server's fixed names).",
      from: { path: '^shared/nomad/wire/' },
      to: {
        path: ['^shared/nomad/(store|services|worker|http|acl)/', '^shared/(aws|storage|auth)/', '@aws-sdk/'],
        pathNot: '^shared/nomad/services/server-identity\\.ts$',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'agent-meets-server-through-protocol',
      severity: 'error',
      comment: 'The agent shares only the protocol modules with the server, never its services or store.',
      from: { path: '^agent/' },
      to: { path: '^shared/(nomad|gitlab|codearts)/(services|store|http|worker|storage)/' },
    },
    {
      name: 'agent-meets-gitlab-through-runner-protocol',
      severity: 'error',
      comment: "The shell runner shares only the runner protocol with GitLab's server (scripts/lint-protocol-copies.sh keeps it from copying it).",
      from: { path: '^agent/' },
      to: { path: '^shared/gitlab/', pathNot: '^shared/gitlab/entities/runner-protocol\\.ts$' },
    },
    {
      name: 'runner-protocol-stands-alone',
      severity: 'error',
      comment: 'The runner protocol imports nothing of ours: the agent that imports it must not pull in the server.',
      from: { path: '^shared/gitlab/entities/runner-protocol\\.ts$' },
      to: { path: '^(shared|agent|functions)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(test|bench|\\.data)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.cjs', '.mjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
