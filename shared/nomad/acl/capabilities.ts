/**
 * Nomad's ACL vocabulary: namespace capabilities and what each policy level grants
 * (acl/policy.go). Pure data.
 */
export const NAMESPACE_CAPABILITIES = [
  'deny',
  'list-jobs',
  'parse-job',
  'read-job',
  'submit-job',
  'dispatch-job',
  'read-logs',
  'read-fs',
  'alloc-exec',
  'alloc-node-exec',
  'alloc-lifecycle',
  'sentinel-override',
  'csi-register-plugin',
  'csi-write-volume',
  'csi-read-volume',
  'csi-list-volume',
  'csi-mount-volume',
  'host-volume-create',
  'host-volume-register',
  'host-volume-read',
  'host-volume-write',
  'host-volume-delete',
  'list-scaling-policies',
  'read-scaling-policy',
  'read-job-scaling',
  'scale-job',
  'submit-recommendation',
  'register-job',
  'revert-job',
  'deregister-job',
  'purge-job',
  'evaluate-job',
  'plan-job',
  'tag-job-version',
  'stable-job',
  'fail-deployment',
  'pause-deployment',
  'promote-deployment',
  'unblock-deployment',
  'cancel-deployment',
  'set-alloc-health-deployment',
  'gc-allocation',
  'pause-allocation',
  'force-periodic-job',
  'delete-service-registration',
] as const;

export type NamespaceCapability = (typeof NAMESPACE_CAPABILITIES)[number];

const READ: NamespaceCapability[] = [
  'list-jobs',
  'parse-job',
  'read-job',
  'csi-list-volume',
  'csi-read-volume',
  'read-job-scaling',
  'list-scaling-policies',
  'read-scaling-policy',
  'host-volume-read',
];

const WRITE: NamespaceCapability[] = [
  ...READ,
  'scale-job',
  'submit-job',
  'dispatch-job',
  'read-logs',
  'read-fs',
  'alloc-exec',
  'alloc-lifecycle',
  'csi-mount-volume',
  'csi-write-volume',
  'submit-recommendation',
  'host-volume-create',
];

const SCALE: NamespaceCapability[] = [
  'list-scaling-policies',
  'read-scaling-policy',
  'read-job-scaling',
  'scale-job',
  'read-job',
  'submit-recommendation',
];

/** The capabilities a namespace `policy = "…"` shorthand stands for. */
export function expandNamespacePolicy(level: string): NamespaceCapability[] {
  switch (level) {
    case 'deny':
      return ['deny'];
    case 'read':
      return READ;
    case 'write':
      return WRITE;
    case 'scale':
      return SCALE;
    default:
      return [];
  }
}

/**
 * `submit-job` predates the fine-grained job capabilities and still grants each of them, so a
 * check for, say, `revert-job` passes for a token that holds `submit-job`.
 */
const IMPLIED_BY_SUBMIT: NamespaceCapability[] = [
  'register-job',
  'revert-job',
  'deregister-job',
  'purge-job',
  'evaluate-job',
  'plan-job',
  'tag-job-version',
  'stable-job',
  'force-periodic-job',
];

const IMPLIED_BY_HOST_VOLUME: Partial<Record<NamespaceCapability, NamespaceCapability[]>> = {
  'host-volume-write': ['host-volume-register', 'host-volume-create', 'host-volume-delete', 'host-volume-read'],
  'host-volume-register': ['host-volume-create', 'host-volume-read'],
  'host-volume-create': ['host-volume-read'],
};

export function withImpliedCapabilities(capabilities: Iterable<NamespaceCapability>): Set<NamespaceCapability> {
  const result = new Set(capabilities);
  for (const capability of [...result]) {
    for (const implied of IMPLIED_BY_HOST_VOLUME[capability] ?? []) result.add(implied);
  }
  if (result.has('submit-job')) for (const implied of IMPLIED_BY_SUBMIT) result.add(implied);
  return result;
}

/** Levels for the coarse `node`, `agent`, `operator`, `quota` and `plugin` rules. */
export const LEVEL_RANK: Record<string, number> = { deny: -1, '': 0, list: 1, read: 2, write: 3 };
