import { render } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { Link, Route, Router, Switch, useLocation, useParams } from "wouter-preact";
import { useHashLocation } from "wouter-preact/use-hash-location";
import { TenantPage } from "./pages/TenantPage";
import { ComparePage } from "./pages/ComparePage";
import { PortfolioPage } from "./pages/PortfolioPage";
import type { WhoAmI } from "./types";
import { ErrorBox, markNavigated, PageHeading, SessionContext, useLoad } from "./ui";
import "./styles.css";

/** After the first navigation, each page's heading takes the focus when it appears (see PageHeading). */
function useFocusOnNavigate() {
  const [location] = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) first.current = false;
    else markNavigated();
  }, [location]);
}

function TenantRoute() {
  const params = useParams<{ tenantId: string; tab?: string; id?: string }>();
  return <TenantPage tenantId={params.tenantId} tab={params.tab ?? "items"} subId={params.id ?? null} />;
}

function Shell() {
  const me = useLoad<WhoAmI>("me");
  useFocusOnNavigate();
  return (
    <SessionContext.Provider value={me.data}>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.querySelector<HTMLElement>("main h1")?.focus(); }}>
        Skip to content
      </a>
      <header class="top">
        <Link href="/" class="brand">tenant-inventory</Link>
        <nav aria-label="Main">
          <Link href="/">Portfolio</Link>
          <Link href="/compare">Compare</Link>
        </nav>
        <p class="who" aria-live="polite">
          {me.state === "ok" &&
            (me.data.rolesEnforced ? `${me.data.name ?? "Signed in"} · ${me.data.roles.join(", ") || "no role"}` : "Local: every role (no sign-in)")}
        </p>
      </header>
      <main id="main">
        {/* The page loads at once; what needs a role (the sync form) appears when the roles are known. */}
        {me.state === "error" && <ErrorBox error={me.error} title="Who you are could not be read" />}
        {me.state !== "error" && (
          <Switch>
            <Route path="/" component={PortfolioPage} />
            <Route path="/compare" component={ComparePage} />
            <Route path="/tenants/:tenantId" component={TenantRoute} />
            <Route path="/tenants/:tenantId/:tab" component={TenantRoute} />
            <Route path="/tenants/:tenantId/:tab/:id" component={TenantRoute} />
            <Route>
              <PageHeading>Page not found</PageHeading>
              <p>
                <Link href="/">Back to the portfolio</Link>
              </p>
            </Route>
          </Switch>
        )}
      </main>
    </SessionContext.Provider>
  );
}

render(
  <Router hook={useHashLocation}>
    <Shell />
  </Router>,
  document.getElementById("app")!,
);
