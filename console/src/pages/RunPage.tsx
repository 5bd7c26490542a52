import { useEffect, useState } from "preact/hooks";
import { Link } from "wouter-preact";
import { ApiError, call, retryAfterMs, tenantPath } from "../api";
import type { Run } from "../types";
import { ErrorBox, Loading, StatusBadge } from "../ui";
import { codeInWords, formatDuration, formatTime } from "../words";
import { RunChangesSection } from "./ChangesTab";
import { selectionText } from "./RunsTab";

/**
 * One run. While the API answers 202 (queued or running) the page polls the run again after the
 * answer's Retry-After, exactly as Logic Apps does, and says so; it stops at the 200.
 */
export function RunPage({ tenantId, runId }: { tenantId: string; runId: string }) {
  const [run, setRun] = useState<Run | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [polls, setPolls] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    setRun(null);
    setError(null);
    const poll = async () => {
      try {
        const answer = await call<Run>(tenantPath(tenantId, "inventory", "runs", runId), { signal: controller.signal });
        setRun(answer.body);
        setPolls((n) => n + 1);
        if (answer.status === 202) timer = setTimeout(() => void poll(), retryAfterMs(answer.headers));
      } catch (caught) {
        if (controller.signal.aborted) return;
        setError(caught instanceof ApiError ? caught : new ApiError(0, { detail: String(caught) }, null));
      }
    };
    void poll();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [tenantId, runId]);
  if (error) return <ErrorBox error={error} title="The run could not be read" />;
  if (!run) return <Loading what="the run" />;
  const active = run.status === "queued" || run.status === "running";
  return (
    <>
      <h2>
        Run <code>{run.id}</code>
      </h2>
      <p role="status" aria-live="polite" class={active ? "notice" : undefined}>
        <StatusBadge status={run.status} />{" "}
        {active ? `In progress — checked ${polls} time${polls === 1 ? "" : "s"}; the page updates by itself.` : `Finished ${formatTime(run.finishedAt)}.`}
      </p>
      <dl class="facts">
        <dt>Selection</dt>
        <dd>
          {selectionText(run.selection)} (<code>{run.selectionHash.slice(0, 12)}</code>)
        </dd>
        <dt>Trigger</dt>
        <dd>{run.trigger}</dd>
        <dt>Requested</dt>
        <dd>{formatTime(run.requestedAt)}</dd>
        <dt>Items observed</dt>
        <dd>{run.counts.itemsObserved}</dd>
        <dt>Errors</dt>
        <dd>{run.counts.errors}</dd>
        <dt>Correlation id</dt>
        <dd>
          <code>{run.correlationId}</code>
        </dd>
      </dl>
      {run.errors.length > 0 && (
        <div class="problem">
          <h3>Errors</h3>
          <ul>
            {run.errors.map((e, i) => (
              <li key={i}>
                <code>{e.code}</code>
                {e.policyType ? ` (${e.policyType})` : ""}: {codeInWords(e.code) ?? e.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {run.policyTypes.length > 0 && (
        <table>
          <caption>Outcome per policy type</caption>
          <thead>
            <tr>
              <th scope="col">Policy type</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">Items</th>
              <th scope="col" class="num">Pages</th>
              <th scope="col" class="num">Duration</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {run.policyTypes.map((t) => (
              <tr key={t.policyType}>
                <th scope="row">{t.policyType}</th>
                <td>
                  <StatusBadge status={t.status} />
                </td>
                <td class="num">{t.itemsObserved}</td>
                <td class="num">{t.pages}</td>
                <td class="num">{formatDuration(t.durationMs)}</td>
                <td>{t.errorCode && <code>{t.errorCode}</code>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {/* The change set is written as the run turns final (finalizeRun), so it is asked for only then; a skipped run read nothing. */}
      {!active && run.status !== "skipped" && <RunChangesSection tenantId={tenantId} runId={run.id} />}
      <p>
        <Link href={`/tenants/${tenantId}/runs`}>All runs of this tenant</Link>
        {!active && (
          <>
            {" · "}
            <Link href={`/tenants/${tenantId}/missing`}>What is missing after it</Link>
          </>
        )}
      </p>
    </>
  );
}
