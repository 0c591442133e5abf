export function newestBuildInput(dir: string): number;
