import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./onoffFakeSysfs.run.ts', import.meta.url));

// onoff only speaks to /sys/class/gpio. The test gives it one of its own: a private mount
// namespace (unshare; a user namespace too when not root) with a tmpfs over /sys/class, so
// the real sysfs, if any, is never touched. Edges use the bus's poll mode: epoll on a tmpfs
// file fails with EPERM, so interrupt edges need real sysfs and are not covered here.
describe('OnoffDigitalBus on a sysfs tree faked in a private mount namespace', () => {
  it('exports, drives, reads, polls edges and unexports through onoff', async () => {
    const userns = process.getuid?.() === 0 ? [] : ['--map-root-user'];
    const { stdout } = await run('unshare', [
      '--mount',
      ...userns,
      'sh',
      '-c',
      'mount -t tmpfs osmose-fake-sysfs /sys/class && mkdir /sys/class/gpio && exec "$0" --import tsx "$1"',
      process.execPath,
      script,
    ], { cwd: fileURLToPath(new URL('../..', import.meta.url)) });
    expect(JSON.parse(stdout)).toEqual({
      outInitial: '1',
      outDirection: 'out',
      outAfterWrite0: '0',
      unexportAfterOut: '27',
      activeLowOffIsHigh: '1',
      activeLowOnIsLow: '0',
      inDirection: 'in',
      readPressed: 1,
      edges: [0, 1, 0],
      unexportAfterIn: '17',
      afterClose: 'driver.closed',
    });
  });

  it('passes the digital conformance suite (run by vitest inside the namespace)', async () => {
    const userns = process.getuid?.() === 0 ? [] : ['--map-root-user'];
    const repo = fileURLToPath(new URL('../..', import.meta.url));
    const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
    const result = await run('unshare', [
      '--mount',
      ...userns,
      'sh',
      '-c',
      'mount -t tmpfs osmose-fake-sysfs /sys/class && mkdir /sys/class/gpio && exec "$0" "$1" run --config drivers/digital/onoffInNamespace.vitest.config.ts --reporter=json',
      process.execPath,
      vitest,
    ], { cwd: repo, maxBuffer: 16 * 1024 * 1024 }).catch((error: { stdout?: string; stderr?: string }) => error);
    const report = JSON.parse(result.stdout ?? '{}') as { numTotalTests?: number; numPassedTests?: number; success?: boolean };
    expect({ success: report.success, passed: report.numPassedTests }, result.stderr).toEqual({ success: true, passed: report.numTotalTests });
    expect(report.numTotalTests).toBeGreaterThanOrEqual(12);
  });
});
