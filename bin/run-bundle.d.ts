// Types for bin/run-bundle.js (plain JavaScript, old syntax), for the tests.
export declare const COMMANDS: string[]
export declare function userCacheDir(env: NodeJS.ProcessEnv, passwd: () => string | undefined): string
export declare function cacheBucket(args: readonly string[]): string
export declare function runBundle(file: string): void
