export * from "./events";
export * from "./logger";
