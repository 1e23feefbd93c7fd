/** What a command runs with: config, logger, and the lake's store, opened from flags and env in one place. */
import { loadConfig, type Config, type ConfigFlags } from '../lib/config.js';
import { createLogger, type Logger } from '../lib/log.js';
import { openStore } from '../store/open-store.js';
import type { ObjectStore } from '../store/object-store.js';

export interface CommandContext {
  config: Config;
  logger: Logger;
  store: ObjectStore;
  out: (text: string) => void;
}

export function createContext(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env): CommandContext {
  const config = loadConfig(flags, env);
  const logger = createLogger({ level: config.logLevel });
  const store = openStore(config.lake, { env, logger });
  return { config, logger, store, out: (text) => process.stdout.write(text) };
}
