// A factory for tests that call a command's or a bulk operation's function directly: in-memory
// streams with terminal switches, an environment of its own (never process.env), a working folder,
// a fresh config folder and the clock.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFactory, type Clock, type Factory } from '../../src/factory.js';
import { memoryIO, type MemoryIOOptions, type MemoryIOStreams } from '../../src/io/streams.js';

export interface TestFactoryOptions extends MemoryIOOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** POSTHOG_PERSONS_CONFIG_DIR unless env sets it: a fresh empty folder by default. */
  configDir?: string;
  clock?: Clock;
}

export function testFactory(options: TestFactoryOptions = {}): { factory: Factory; io: MemoryIOStreams } {
  const env: NodeJS.ProcessEnv = {
    POSTHOG_PERSONS_CONFIG_DIR: options.configDir ?? mkdtempSync(join(tmpdir(), 'pp-config-')),
    ...options.env,
  };
  const io = memoryIO({ ...options, env });
  const factory = createFactory({
    io,
    env,
    version: 'test',
    cwd: options.cwd ?? process.cwd(),
    readStdin: async () => options.stdin ?? '',
    clock: options.clock,
  });
  return { factory, io };
}
