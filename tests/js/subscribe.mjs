// Subscribes to accessCodeStatusChanged with the real `graphql-ws` client and prints each result as
// one JSON line, then exits after <count> results (exit 1 on error or after 30 s).
//
// usage: node subscribe.mjs <ws-url> <api-key|-> <count> [variables-json]
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, key, countArg, variablesArg] = process.argv.slice(2);
if (!url || !key || !countArg) {
  console.error('usage: node subscribe.mjs <ws-url> <api-key|-> <count> [variables-json]');
  process.exit(2);
}
const count = Number(countArg);
const variables = variablesArg ? JSON.parse(variablesArg) : {};

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  lazy: false,
  retryAttempts: 0,
  connectionParams: key === '-' ? {} : { Authorization: `Bearer ${key}` },
});

const query = `subscription($a: ID, $d: ID, $k: String) {
  accessCodeStatusChanged(accessCodeId: $a, deviceId: $d, commonCodeKey: $k) {
    eventType accessCodeId deviceId previousStatus status accessCode { id status }
  }
}`;

const timer = setTimeout(() => {
  console.error('timed out');
  process.exit(1);
}, 30_000);

let seen = 0;
try {
  for await (const result of client.iterate({ query, variables })) {
    console.log(JSON.stringify(result));
    seen += 1;
    if (seen >= count) break;
  }
} catch (err) {
  console.error('subscription failed:', JSON.stringify(err, Object.getOwnPropertyNames(err ?? {})));
  process.exit(1);
}
clearTimeout(timer);
await client.dispose();
process.exit(0);
