/**
 * The app's entry point (package.json `main` → dist/functions/index.js): importing a module
 * registers its functions with the host. Add the Durable and timer registrations beside this.
 */
import "./http";
