// Lists the devices, watches the first one that takes online codes, creates a code on it, and
// waits until the lock reports it SET. One JSON line per step on stdout.
//
//   SEAM_GRAPHQL_URL=http://127.0.0.1:8080/graphql SEAM_API_KEY=seam_... npm start
import { gatewayClient } from './client.js';
import { AccessCodeStatusChanged, CreateAccessCode, Devices } from './operations.js';
import type { AccessCodeStatus } from './gql/graphql.js';

const url = process.env.SEAM_GRAPHQL_URL ?? 'http://127.0.0.1:8080/graphql';
const timeoutMs = Number(process.env.EXAMPLE_TIMEOUT_MS ?? 120_000);
const { client, close } = gatewayClient(url, process.env.SEAM_API_KEY);

function log(step: string, detail: object): void {
  console.log(JSON.stringify({ step, ...detail }));
}

function fail(message: string): never {
  console.error(message);
  close();
  process.exit(1);
}

const devices = await client.query(Devices, { first: 50 }).toPromise();
if (devices.error) fail(`devices: ${devices.error.message}`);
// Typed: `nodes` is an array of { id: string; displayName: string; canProgramOnlineAccessCodes: boolean }.
const nodes = devices.data?.devices.nodes ?? [];
log('devices', { names: nodes.map((d) => d.displayName) });
const device = nodes.find((d) => d.canProgramOnlineAccessCodes);
if (!device) fail('no device takes online access codes');

let createdId: string | undefined;
const done = new Promise<AccessCodeStatus>((resolve) => {
  const watch = client.subscription(AccessCodeStatusChanged, { deviceId: device.id }).subscribe((result) => {
    if (result.error) fail(`subscription: ${result.error.message}`);
    const change = result.data?.accessCodeStatusChanged;
    if (!change) return;
    // DateTime arrives as the string the codegen config maps it to.
    const at: string | null | undefined = change.occurredAt;
    log('status', { accessCodeId: change.accessCodeId, eventType: change.eventType, status: change.status, at });
    if (change.accessCodeId === createdId && change.status === 'SET') {
      watch.unsubscribe();
      resolve(change.status);
    }
  });
});

const created = await client
  .mutation(CreateAccessCode, { input: { deviceId: device.id, name: 'From the TypeScript example' } })
  .toPromise();
if (created.error) fail(`createAccessCode: ${created.error.message}`);
const code = created.data?.createAccessCode.accessCode;
if (!code) fail('createAccessCode returned no code');
createdId = code.id;
log('created', { id: code.id, name: code.name, status: code.status, createdAt: code.createdAt });

const timer = setTimeout(() => fail(`no SET within ${timeoutMs} ms`), timeoutMs);
const status = await done;
clearTimeout(timer);
log('done', { id: createdId, status });
close();
