// Types of e2e-workspace.mjs, for test/integration/runElectron.ts.
export declare function resp(...args: string[]): Buffer;
export declare function aofFixtures(): Record<string, Buffer>;
export declare function quickFixFixtures(): Record<string, Buffer>;
export declare function prepareWorkspace(root: string, dest: string): string;
