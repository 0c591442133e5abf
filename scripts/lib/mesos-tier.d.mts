export const TIER_MARKER: string;
export const HA_MARKER: string;
export const CONTAINERS_MARKER: string;
export function mesosBuildPresent(env?: Record<string, string | undefined>, root?: string): boolean;
export function writeTierMarker(passed: boolean, file?: string): void;
export function clearTierMarker(file?: string): void;
export function tierProblem(buildPresent: boolean, files?: string | Array<{ file: string; test: string }>): string | null;
