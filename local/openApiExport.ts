/**
 * `npm run openapi:export`: writes the Power Automate / Logic Apps custom connector definition
 * (Swagger 2.0) generated from the route table — the same zod schemas the API validates with.
 * A unit test fails when the committed file and the generator disagree.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildConnectorDocument } from "../shared/http/openApiSwagger2";
import { API_ROUTES } from "../shared/http/routes/index";

const target = join(__dirname, "..", "docs", "power-automate.connector.swagger.json");
writeFileSync(target, `${JSON.stringify(buildConnectorDocument(API_ROUTES), null, 2)}\n`);
console.log(`wrote ${target}`);
