// The graphql-http server audit (GraphQL over HTTP conformance) against a running gateway.
// Usage: node audit.mjs <http://host:port/graphql>. Prints one JSON line per audit:
// {"id", "name", "status": "ok" | "warn" | "error", "reason"?}.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql url>');
  process.exit(2);
}
const results = await auditServer({ url });
for (const r of results) {
  const line = { id: r.id, name: r.name, status: r.status };
  if (r.status !== 'ok') line.reason = r.reason;
  console.log(JSON.stringify(line));
}
