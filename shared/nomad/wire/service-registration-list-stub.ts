import type { ServiceRegistration } from './client-protocol';

/**
 * Nomad's ServiceRegistrationListStub (`GET /v1/services`): the namespace's services by name, each
 * with the union of its instances' tags, sorted; no entry at all for a namespace without services.
 */
export function serviceRegistrationListStubs(namespace: string, registrations: ServiceRegistration[]) {
  const byName = new Map<string, Set<string>>();
  for (const registration of registrations) {
    const tags = byName.get(registration.ServiceName) ?? new Set<string>();
    for (const tag of registration.Tags) tags.add(tag);
    byName.set(registration.ServiceName, tags);
  }
  const services = [...byName].map(([ServiceName, tags]) => ({ ServiceName, Tags: [...tags].sort() }));
  return services.length > 0 ? [{ Namespace: namespace, Services: services }] : [];
}
