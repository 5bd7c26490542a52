// Placeholder until the emulator global setup lands (issue 2, stores).
export default async function setup(): Promise<void> {}
