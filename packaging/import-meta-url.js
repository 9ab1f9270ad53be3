// Injected into the CommonJS bundle (esbuild `inject`): what `import.meta.url` means in ESM, for the
// code that asks (src/host/paths.ts finds the package folder from it when run from source).
export const importMetaUrl = require('node:url').pathToFileURL(__filename).href
