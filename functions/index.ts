/**
 * The app's entry point (package.json `main` → dist/functions/index.js): importing a module
 * registers its functions with the host.
 */
import "./http";
import "./durable";
