/**
 * The environment `npm test` gives the tools it runs. Vitest's colours (tinyrainbow) are on
 * whenever TERM is not "dumb", terminal or not, so a log captured to a file or by CI carried
 * ANSI codes. Off a terminal, NO_COLOR (https://no-color.org) turns them off in vitest, tsc and
 * eslint alike; on a terminal nothing changes.
 */
export function childEnv(env, stdoutIsTTY) {
  if (stdoutIsTTY) return { ...env };
  const plain = { ...env, NO_COLOR: "1" };
  delete plain.FORCE_COLOR;
  return plain;
}
