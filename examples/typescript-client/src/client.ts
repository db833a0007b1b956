// One urql client for everything: queries and mutations over HTTP (POST /graphql), subscriptions
// over Server-Sent Events at the same URL (graphql-sse). Swap in graphql-ws's createClient against
// ws://HOST/graphql/ws if you prefer websockets; nothing else changes.
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createSseClient } from 'graphql-sse';

export function gatewayClient(url: string, apiKey: string | undefined): { client: Client; close: () => void } {
  // Without a key the gateway uses its own (SEAM_API_KEY), for same-origin callers only.
  const headers: Record<string, string> = apiKey ? { Authorization: `Bearer ${apiKey}` } : {};
  const sse = createSseClient({ url, headers, retryAttempts: 3 });
  const client = new Client({
    url,
    fetchOptions: { headers },
    // Every result is fresh; a cache is the application's choice.
    requestPolicy: 'network-only',
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const operation = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const dispose = sse.subscribe(operation, sink);
              return { unsubscribe: dispose };
            },
          };
        },
      }),
    ],
  });
  return { client, close: () => sse.dispose() };
}
