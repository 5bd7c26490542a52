/** The HTTP layer, framework-neutral: hosts import from here. */
export * from "./apiTypes";
export { MAX_BODY_BYTES, readLimitedText, isJsonContentType } from "./body";
export { CORRELATION_HEADER, correlationIdOf } from "./correlation";
export { buildOpenApiDocument, openApiPath } from "./openApi";
export type { OpenApiDocument } from "./openApi";
export { toSwagger2, buildConnectorDocument } from "./openApiSwagger2";
export { ApiRoleSchema, PRINCIPAL_HEADER, principalRoles } from "./principal";
export type { ApiRole } from "./principal";
export { ApiProblem, PROBLEM_CONTENT_TYPE, ProblemDetailsSchema } from "./problem";
export type { ProblemDetails } from "./problem";
export { problemResponse, jsonResponse } from "./pipeline";
export type { ApiRoute, RequestEnv } from "./pipeline";
export { matchRoute } from "./routeMatch";
export type { RouteMatch } from "./routeMatch";
export { API_ROUTES } from "./routes/index";
export { createAppServicesFactory } from "./services";
export type { AppServices, AppServicesFactoryDeps, ServiceProvider } from "./services";
