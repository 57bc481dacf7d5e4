// Vigil's version, from package.json (dist/version.js and src/version.ts both sit one level below it).
export const VERSION: string = (require('../package.json') as { version: string }).version;
