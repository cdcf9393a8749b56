import type { StoredPolicy } from '../store/acl-policies';

/** Nomad's ACLPolicy as `GET /v1/acl/policy/:name` answers it. */
export function policyWire(policy: StoredPolicy) {
  return {
    Name: policy.Name,
    Description: policy.Description,
    Rules: policy.Rules,
    JobACL: policy.JobACL,
    CreateIndex: policy.CreateIndex,
    ModifyIndex: policy.ModifyIndex,
  };
}

/** Nomad's ACLPolicyListStub, an entry of `GET /v1/acl/policies`. */
export function aclPolicyListStub(policy: StoredPolicy) {
  return { Name: policy.Name, Description: policy.Description, CreateIndex: policy.CreateIndex, ModifyIndex: policy.ModifyIndex };
}
