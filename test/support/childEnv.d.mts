export function childEnv(env: NodeJS.ProcessEnv, stdoutIsTTY: boolean | undefined): NodeJS.ProcessEnv;
