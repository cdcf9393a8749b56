import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../../../shared/nomad/jobspec/hcl/expressions';
import { JobspecParseError, parseJobspec } from '../../../../shared/nomad/jobspec/hcl/parse-jobspec';

const context = { var: { dc: 'dc1', n: 3, tags: ['a', 'b'], m: { k: 'v' } }, local: { x: 'X' } };

describe('HCL expression evaluator', () => {
  it('evaluates references, arithmetic, conditionals and functions', () => {
    expect(renderTemplate('${var.dc}', context)).toBe('dc1');
    expect(renderTemplate('web-${var.dc}-${local.x}', context)).toBe('web-dc1-X');
    expect(renderTemplate('${1 + 2 * var.n}', context)).toBe(7);
    expect(renderTemplate('${var.n > 2 ? "big" : "small"}', context)).toBe('big');
    expect(renderTemplate('${upper(var.dc)}', context)).toBe('DC1');
    expect(renderTemplate('${join(",", var.tags)}', context)).toBe('a,b');
    expect(renderTemplate('${format("%s-%03d", var.dc, var.n)}', context)).toBe('dc1-3');
    expect(renderTemplate('${var.m.k}${var.tags[1]}', context)).toBe('vb');
    expect(renderTemplate('${[var.dc, "x"]}', context)).toEqual(['dc1', 'x']);
  });

  it('keeps runtime interpolations as written', () => {
    expect(renderTemplate('${attr.kernel.name}', context)).toBe('${attr.kernel.name}');
    expect(renderTemplate('${NOMAD_ALLOC_DIR}/data-${var.dc}', context)).toBe('${NOMAD_ALLOC_DIR}/data-dc1');
    expect(renderTemplate('$${var.dc}', context)).toBe('${var.dc}');
  });

  it('names what is wrong', () => {
    expect(() => renderTemplate('${var.nope}', context)).toThrow('Reference to undeclared input variable');
    expect(() => renderTemplate('${nofn(1)}', context)).toThrow('There is no function named "nofn"');
  });
});

const JOBSPEC = `
variable "dc" {
  default = "dc1"
}
variable "count" {
  type = number
}
locals {
  name = "\${local.prefix}-cache"
  prefix = "redis"
}
job "example" {
  datacenters = [var.dc]
  type        = "batch"
  meta {
    owner = "team-\${var.dc}"
  }
  constraint {
    attribute = "\${attr.kernel.name}"
    value     = "linux"
  }
  constraint {
    distinct_hosts = true
  }
  periodic {
    crons            = ["*/15 * * * *"]
    prohibit_overlap = true
    time_zone        = "Europe/Paris"
  }
  group "cache" {
    count = var.count
    restart {
      attempts = 2
      interval = "30m"
      delay    = "15s"
      mode     = "fail"
    }
    network {
      port "db" {
        to = 6379
      }
      port "admin" {
        static = 8080
      }
    }
    task "redis" {
      driver = "docker"
      config {
        image = "redis:7"
        ports = ["db"]
      }
      env {
        NAME = local.name
      }
      resources {
        cpu    = 500
        memory = 256
      }
      kill_timeout = "10s"
      action "ping" {
        command = "redis-cli"
        args    = ["ping"]
      }
    }
  }
}
`;

describe('HCL2 jobspec to API Job', () => {
  it('maps blocks, durations, ports, shorthands and variables', () => {
    const job = parseJobspec(JOBSPEC, 'dc = "east"', { count: '2' });
    expect(job).toMatchObject({ ID: 'example', Name: 'example', Type: 'batch', Datacenters: ['east'], Meta: { owner: 'team-east' } });
    expect(job.Constraints).toEqual([
      { LTarget: '${attr.kernel.name}', RTarget: 'linux', Operand: '=' },
      { LTarget: '', RTarget: 'true', Operand: 'distinct_hosts' },
    ]);
    expect(job.Periodic).toEqual({ Enabled: true, Spec: '', Specs: ['*/15 * * * *'], SpecType: 'cron', ProhibitOverlap: true, TimeZone: 'Europe/Paris' });
    const group = job.TaskGroups[0];
    expect(group).toMatchObject({ Name: 'cache', Count: 2 });
    expect(group.RestartPolicy).toEqual({ Attempts: 2, Interval: 1_800_000_000_000, Delay: 15_000_000_000, Mode: 'fail' });
    expect(group.Networks[0].DynamicPorts).toEqual([{ Label: 'db', Value: 0, To: 6379, HostNetwork: 'default', IgnoreCollision: false }]);
    expect(group.Networks[0].ReservedPorts).toEqual([{ Label: 'admin', Value: 8080, To: 0, HostNetwork: 'default', IgnoreCollision: false }]);
    const task = group.Tasks[0];
    expect(task).toMatchObject({ Name: 'redis', Driver: 'docker', Config: { image: 'redis:7', ports: ['db'] }, Env: { NAME: 'redis-cache' }, KillTimeout: 10_000_000_000 });
    expect(task.Resources).toEqual({ CPU: 500, MemoryMB: 256 });
    expect(task.Actions).toEqual([{ Name: 'ping', Command: 'redis-cli', Args: ['ping'] }]);
  });

  it('reports parser errors with their position, and unset variables', () => {
    expect(() => parseJobspec('job "x" {\n  count = \n}')).toThrow(/^input\.hcl:2,11-3,1: Invalid expression/);
    expect(() => parseJobspec('job "x" {\n  a = 1\n')).toThrow(/^input\.hcl:1,9-10: Unclosed configuration block/);
    expect(() => parseJobspec('job "x" {\n  a = 1 b = 2\n}')).toThrow(/^input\.hcl:2,9-10: Missing newline after argument/);
    expect(() => parseJobspec('job "x" {\n  a = 1\n  a = 2\n}')).toThrow(/Attribute redefined/);
    expect(() => parseJobspec(JOBSPEC)).toThrow('Unset variable "count"');
    expect(() => parseJobspec('job "x" {}', 'nope = 1')).toThrow(JobspecParseError);
    expect(() => parseJobspec('group "x" {}')).toThrow('Missing job block');
  });

  it('refuses a group count that is not a whole number, as gohcl does', () => {
    const spec = (count: string) => `job "x" {\n  group "g" {\n    count = ${count}\n    task "t" {\n      driver = "raw_exec"\n    }\n  }\n}`;
    const unsuitable = 'group.g.count: Unsuitable value type; Unsuitable value: value must be a whole number, between -9223372036854775808 and 9223372036854775807';
    expect(() => parseJobspec(spec('1.5'))).toThrow(unsuitable);
    expect(() => parseJobspec(spec('3 / 2'))).toThrow(unsuitable);
    expect(() => parseJobspec(spec('1e300'))).toThrow(unsuitable);
    expect(parseJobspec(spec('6 / 2')).TaskGroups[0].Count).toBe(3);
  });

  it('refuses every integer attribute that is fractional or beyond its Go type, not only count', () => {
    const spec = (resources: string, group = '') =>
      `job "x" {\n  group "g" {\n${group}    task "t" {\n      driver = "raw_exec"\n      resources {\n        ${resources}\n      }\n    }\n  }\n}`;
    const int64 = 'between -9223372036854775808 and 9223372036854775807';
    expect(() => parseJobspec(spec('cpu = 1e308'))).toThrow(`Job.TaskGroups.Tasks.Resources.CPU: Unsuitable value type; Unsuitable value: value must be a whole number, ${int64}`);
    expect(() => parseJobspec(spec('memory = 64.5'))).toThrow(`Job.TaskGroups.Tasks.Resources.MemoryMB: Unsuitable value type; Unsuitable value: value must be a whole number, ${int64}`);
    expect(() => parseJobspec(spec('secrets = 9007199254740993'))).toThrow('Job.TaskGroups.Tasks.Resources.SecretsMB: Unsuitable value type');
    expect(() => parseJobspec(spec('cpu = 100', '    ephemeral_disk {\n      size = 0.5\n    }\n'))).toThrow('Job.TaskGroups.EphemeralDisk.SizeMB: Unsuitable value type');
    expect(() => parseJobspec(spec('cpu = 100', '    affinity {\n      attribute = "a"\n      value = "b"\n      weight = 500\n    }\n'))).toThrow(
      'Job.TaskGroups.Affinities.Weight: Unsuitable value type; Unsuitable value: value must be a whole number, between -128 and 127',
    );
    expect(() => parseJobspec(spec('cpu = 100', '    update {\n      max_parallel = 1e20\n    }\n'))).toThrow('Job.TaskGroups.Update.MaxParallel: Unsuitable value type');
    expect(() => parseJobspec(spec('device "gpu" {\n          count = -1\n        }'))).toThrow(
      'Job.TaskGroups.Tasks.Resources.Devices.Count: Unsuitable value type; Unsuitable value: value must be a whole number, between 0 and 18446744073709551615',
    );
    expect(parseJobspec(spec('cpu = 100\n        memory = 64\n        secrets = 8')).TaskGroups[0].Tasks[0].Resources).toMatchObject({ CPU: 100, MemoryMB: 64, SecretsMB: 8 });
  });

  it('reads heredocs, comments and one-line blocks', () => {
    const job = parseJobspec(`# a comment
job "x" { // trailing
  /* block
     comment */
  group "g" {
    network {
      port "http" { static = 80 }
    }
    task "t" {
      driver = "raw_exec"
      template {
        data = <<-EOT
          line one
            line two
          EOT
        destination = "local/f"
      }
      config {
        args = [
          "-c", # first
          "run",
        ]
      }
    }
  }
}
`);
    const task = job.TaskGroups[0].Tasks[0];
    expect(task.Templates[0].EmbeddedTmpl).toBe('line one\n  line two\n');
    expect(task.Config.args).toEqual(['-c', 'run']);
    expect(job.TaskGroups[0].Networks[0].ReservedPorts[0]).toMatchObject({ Label: 'http', Value: 80 });
  });
});
