import type { CodegenConfig } from '@graphql-codegen/cli';

// Types for every operation in src/, from the gateway's committed schema. Regenerate with
// `npm run codegen` after the schema or an operation changes; `npm run codegen:check` fails when
// the generated files are out of date (CI runs it).
const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: ['src/**/*.ts', '!src/gql/**/*'],
  // Imports with `.js`, as Node's ES modules need.
  emitLegacyCommonJSImports: false,
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        // The gateway sends DateTime as an RFC 3339 string.
        scalars: { DateTime: 'string' },
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
};

export default config;
