// Subscribes to accessCodeStatusChanged with the real `graphql-sse` client and prints each result
// as one JSON line, then exits after <count> results (exit 1 on error or after 30 s). Before the
// subscription it runs one query over the same transport and prints its result first.
//
// usage: node sse.mjs <http-url> <api-key> <distinct|single> <count> [variables-json]
import { createClient } from 'graphql-sse';

const [url, key, mode, countArg, variablesArg] = process.argv.slice(2);
if (!url || !key || !['distinct', 'single'].includes(mode) || !countArg) {
  console.error('usage: node sse.mjs <http-url> <api-key> <distinct|single> <count> [variables-json]');
  process.exit(2);
}
const count = Number(countArg);
const variables = variablesArg ? JSON.parse(variablesArg) : {};

const client = createClient({
  url,
  singleConnection: mode === 'single',
  retryAttempts: 0,
  headers: { Authorization: `Bearer ${key}` },
});

const timer = setTimeout(() => {
  console.error('timed out');
  process.exit(1);
}, 30_000);

const subscription = `subscription($a: ID, $d: ID, $k: String) {
  accessCodeStatusChanged(accessCodeId: $a, deviceId: $d, commonCodeKey: $k) {
    eventType accessCodeId deviceId previousStatus status accessCode { id status }
  }
}`;

try {
  for await (const result of client.iterate({ query: '{ devices(first: 1) { nodes { id } } }' })) {
    console.log(JSON.stringify(result));
  }
  // The Rust side waits for this line before it makes changes.
  console.log(JSON.stringify({ subscribing: true }));
  let seen = 0;
  for await (const result of client.iterate({ query: subscription, variables })) {
    console.log(JSON.stringify(result));
    seen += 1;
    if (seen >= count) break;
  }
} catch (err) {
  console.error('graphql-sse failed:', err instanceof Error ? err.message : JSON.stringify(err));
  process.exit(1);
}
clearTimeout(timer);
client.dispose();
process.exit(0);
