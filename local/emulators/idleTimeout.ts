/**
 * How long a stand-in keeps an idle keep-alive connection. Node's default (5 s) is far shorter
 * than the services stood in for (Azure's load balancers idle out after 4 minutes), and with a
 * busy client it races: the client reuses a pooled socket whose FIN it has not yet processed
 * and the request dies with "socket hang up" (measured: 75 of ~3,100 bulk requests in a
 * 60-tenant nightly on a loaded machine). Clients must cope with that race (the item writer
 * retries such a request), but a stand-in should not provoke it every few seconds.
 */
export const STAND_IN_IDLE_TIMEOUT_MS = 120_000;
