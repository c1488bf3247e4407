// Two projects: `unit` needs nothing running; `integration` talks to real PostgreSQL, Redis and
// the OpenStack sandbox (deploy/sandbox). `npm test` runs both; `npm run test:unit` only the first.

// ESM-only packages that jest's CommonJS runtime must have transpiled.
const esmPackages = [
  'd3',
  'd3-[a-z-]+',
  'internmap',
  'delaunator',
  'robust-predicates',
  'lit',
  'lit-html',
  'lit-element',
  '@lit',
  '@lit-labs',
  'typebox',
  '@fastify/type-provider-typebox',
  'node-pg-migrate',
  'cookie',
  '@fastify/cookie',
  'content-disposition',
];

const shared = {
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }],
    // TypeScript keeps .mjs as ESM whatever the settings, so plain JavaScript goes through Babel.
    '^.+\\.[mc]?js$': [
      'babel-jest',
      {
        babelrc: false,
        configFile: false,
        plugins: [
          '@babel/plugin-transform-export-namespace-from',
          '@babel/plugin-transform-dynamic-import',
          '@babel/plugin-transform-modules-commonjs',
          'babel-plugin-transform-import-meta',
        ],
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleNameMapper: {
    '^@glint/([a-z-]+)$': '<rootDir>/packages/$1/src',
    '^@glint/core/client$': '<rootDir>/packages/core/src/client',
  },
  testEnvironment: 'node',
};

module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/packages/*/test/**/*.test.ts',
        '<rootDir>/deploy/test/**/*.test.ts',
        '<rootDir>/tools/**/*.test.ts',
      ],
      testPathIgnorePatterns: ['\\.int\\.test\\.ts$'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: [
        '<rootDir>/packages/*/test/**/*.int.test.ts',
        '<rootDir>/deploy/test/**/*.int.test.ts',
      ],
      setupFilesAfterEnv: ['<rootDir>/test-support/integration-timeout.js'],
      globalSetup: '<rootDir>/test-support/integration-setup.js',
    },
  ],
};
