import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../common/logger';
import type { RunnerApi } from './api';
import type { RunnerConfig } from './config';

/**
 * The runner's authentication token: the one given, else the one saved under the data folder
 * while it still verifies, else a new one, registered with a registration token (legacy
 * `POST /runners`) or created with an administrator's token (`POST /user/runners`), and saved.
 */
export async function runnerToken(api: RunnerApi, config: RunnerConfig, log: Logger): Promise<string> {
  if (config.token) {
    if (!(await api.verify(config.token))) throw new Error('the runner token was refused (the runner was removed?)');
    return config.token;
  }
  const file = join(config.dataDir, 'token');
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    if (await api.verify(saved)) return saved;
    log.warn('the saved runner token is no longer valid; registering again');
  }
  const attributes = { description: config.description, tag_list: config.tags.join(','), run_untagged: config.runUntagged, info: { executor: 'shell' } };
  let token: string;
  if (config.registrationToken) token = await api.register(config.registrationToken, attributes);
  else if (config.adminToken) token = await api.createInstanceRunner(config.adminToken, attributes);
  else throw new Error('no runner token: give --token, --registration-token or --admin-token');
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  log.info(`registered as a new runner; token saved in ${file}`);
  return token;
}
