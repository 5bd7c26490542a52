export * from "./errorCodes";
export * from "./item";
export * from "./missing";
export * from "./platform";
export * from "./policyTypes";
export * from "./redaction";
export * from "./run";
export * from "./selection";
