import { useMemo, useState } from "preact/hooks";
import { Link, useLocation } from "wouter-preact";
import { ApiError, call, tenantPath } from "../api";
import type { PolicyTypeList, SyncAccepted } from "../types";
import { ErrorBox, useLoad } from "../ui";

/**
 * Starts a sync with a selection (categories, or nothing for every non-foundation type) and opens
 * the run, which follows the 202 + Location pattern. 409 LOCK_HELD is not an error to the person:
 * a sync of that selection is already running, so the form offers to open it.
 */
export function SyncForm({ tenantId }: { tenantId: string }) {
  const catalog = useLoad<PolicyTypeList>("policy-types");
  const [, navigate] = useLocation();
  const categories = useMemo(
    () => [...new Set((catalog.data?.items ?? []).filter((t) => !t.foundation).map((t) => t.category))].sort(),
    [catalog.data],
  );
  const [chosen, setChosen] = useState<string[]>([]);
  const [foundations, setFoundations] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const start = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { body } = await call<SyncAccepted>(tenantPath(tenantId, "inventory", "sync"), {
        method: "POST",
        body: { categories: chosen, includeFoundations: foundations },
      });
      navigate(`/tenants/${tenantId}/runs/${body.runId}`);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : new ApiError(0, { detail: String(caught) }, null));
      setBusy(false);
    }
  };
  const activeRunId = error?.code === "LOCK_HELD" ? (error.problem?.activeRunId ?? null) : null;
  return (
    <form class="sync" onSubmit={start} aria-labelledby="sync-title">
      <h2 id="sync-title">Start a sync</h2>
      <fieldset>
        <legend>Categories (none ticked: every type but foundations)</legend>
        <div class="checks">
          {categories.map((c) => (
            <label key={c}>
              <input
                type="checkbox"
                checked={chosen.includes(c)}
                onChange={(e) => setChosen(e.currentTarget.checked ? [...chosen, c] : chosen.filter((x) => x !== c))}
              />{" "}
              {c}
            </label>
          ))}
        </div>
        <label>
          <input type="checkbox" checked={foundations} onChange={(e) => setFoundations(e.currentTarget.checked)} /> Include foundations (filters, scope tags, roles)
        </label>
      </fieldset>
      <button type="submit" disabled={busy}>
        {busy ? "Starting…" : "Sync now"}
      </button>
      {activeRunId ? (
        <p class="notice" role="status">
          A sync of this selection is already running →{" "}
          <Link href={`/tenants/${tenantId}/runs/${activeRunId}`}>open it</Link>
        </p>
      ) : (
        error && <ErrorBox error={error} title="The sync was not started" />
      )}
    </form>
  );
}
