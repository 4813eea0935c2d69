import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globals: true, // cdktf's Testing.setupJest() extends the global expect
    setupFiles: ["test/setup.ts"],
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
