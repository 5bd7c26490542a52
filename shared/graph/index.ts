export { createGraphClient } from "./graphClient";
export type { GraphPageSource } from "./pageIterator";
