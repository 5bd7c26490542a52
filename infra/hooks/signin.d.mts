// Types of signin.mjs for the tests that import it (the hook itself is plain JavaScript: azd runs
// it before anything is installed).
export interface AppRole {
  allowedMemberTypes: string[];
  description: string;
  displayName: string;
  id: string;
  isEnabled: boolean;
  value: string;
}
export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}
export type Run = (command: string, args: string[]) => RunResult;
export type SignInPlan = { kind: "off" } | { kind: "given"; clientId: string } | { kind: "create"; displayName: string };
type Env = Record<string, string | undefined>;

export const APP_ROLES_FILE: string;
export const API_ROLES: string[];
export class HookError extends Error {}
export function appDisplayName(envName: string | undefined): string;
export function signInPlan(env: Env): SignInPlan;
export function pickExistingApp<T extends { displayName: string; appId: string }>(apps: T[], displayName: string): T | null;
export function checkAppRoles(roles: unknown): AppRole[];
export function redirectUriOf(env: Env): string;
export function redirectUrisToSet(current: unknown, wanted: string): string[] | null;
export function nextSteps(input: { appId: string; spObjectId: string; roles: AppRole[]; consoleUrl?: string }): string;
export function preprovision(input: { env: Env; run: Run; log: (line: string) => void }): SignInPlan | { kind: "create"; clientId: string; created: boolean };
export function postprovision(input: { env: Env; run: Run; log: (line: string) => void }): SignInPlan | { kind: "given" | "create"; clientId: string; redirectUriAdded: boolean };
export function spawnRunner(platform?: NodeJS.Platform): Run;
