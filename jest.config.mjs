const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2023',
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@dataflow/shared$': '<rootDir>/libs/shared/src/index.ts',
    '^@dataflow/shared/testing$': '<rootDir>/libs/shared/src/testing/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
  setupFiles: ['reflect-metadata'],
};

// unit: next to the code. integration: real Postgres and Redis, in this process.
// e2e: the built apps as separate processes. deploy: static checks of Docker, compose and k8s files.
const withDatabase = { globalSetup: '<rootDir>/test/global-setup.mjs', globalTeardown: '<rootDir>/test/global-teardown.mjs' };

export default {
  // Global in Jest (a project's own value is ignored): long enough for the e2e tests, which start processes.
  testTimeout: 120_000,
  projects: [
    // The web app's specs run in Angular's own runner (npm run test:web).
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,servers}/*/src/**/*.spec.ts'], testPathIgnorePatterns: ['/node_modules/', '<rootDir>/apps/web/'] },
    { ...common, ...withDatabase, displayName: 'integration', testMatch: ['<rootDir>/{apps,libs,servers}/*/test/**/*.int-spec.ts'] },
    { ...common, ...withDatabase, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    { ...common, displayName: 'deploy', testMatch: ['<rootDir>/test/deploy/**/*.spec.ts'] },
  ],
};
