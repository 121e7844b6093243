/**
 * The library's runtime check, run when it is imported: on an older Node some calls
 * would fail deep inside with a confusing TypeError (process.loadEnvFile, import.meta.dirname,
 * Array.fromAsync), so it fails here at once with one line that says what to do.
 */
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  const how = 'Install Node.js 22.12 or later (https://nodejs.org).';
  const error = new Error(`sqsops needs Node.js >= 22.12; this is ${process.version}. ${how}`);
  // Just the sentence: a stack into our bundle says nothing the message does not.
  error.stack = error.message;
  throw error;
}
export {};
