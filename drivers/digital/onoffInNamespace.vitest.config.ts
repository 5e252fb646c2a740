import { defineConfig } from 'vitest/config';

// Used only by OnoffDigitalBus.test.ts, inside a private mount namespace.
export default defineConfig({
  test: {
    include: ['drivers/digital/onoffConformance.ns.ts'],
    testTimeout: 60_000,
  },
});
