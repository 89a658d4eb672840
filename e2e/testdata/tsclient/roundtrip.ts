// A TypeScript program that uses lmshooks only through a client generated
// from its OpenAPI document (openapi-typescript + openapi-fetch): it creates
// a tenant and a webhook, publishes an event, waits for the delivery and
// prints what it read as JSON. e2e/contract_ts_test.go generates
// schema.d.ts next to it, compiles both with tsc and runs it against the
// real server; a change to the document that breaks this code fails there.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

// The two globals of Node.js this program needs, so that it compiles
// without @types/node.
declare const process: { env: Record<string, string | undefined>; exit(code: number): never };

type Schemas = components["schemas"];

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

const baseUrl = env("LMSHOOKS_URL");
const operator = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${env("LMSHOOKS_KEY")}` } });

// A value or the API's error, typed by the document.
function must<T>(what: string, r: { data?: T; error?: Schemas["Error"] | unknown; response: Response }): T {
  if (r.data === undefined) {
    throw new Error(`${what}: ${r.response.status} ${JSON.stringify(r.error)}`);
  }
  return r.data;
}

async function main(): Promise<void> {
  const tenant: Schemas["Tenant"] = must("create tenant", await operator.POST("/api/v1/tenants", {
    body: { id: "ts-acme", name: "Acme (TypeScript)", environment: "sandbox" },
  }));

  // A tenant key, and a client that uses it.
  const key = must("create key", await operator.POST("/api/v1/tenants/{tenant}/api-keys", {
    params: { path: { tenant: tenant.id } },
    body: { name: "TypeScript client" },
  }));
  const api = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${key.key}` } });
  const path = { tenant: tenant.id };

  const webhook: Schemas["WebhookWithSecret"] = must("create webhook", await api.POST("/api/v1/tenants/{tenant}/webhooks", {
    params: { path },
    body: {
      name: "Go receiver",
      url: env("RECEIVER_URL"),
      event_types: ["user.created"],
      secret: env("WEBHOOK_SECRET"),
      headers: { "X-From": "typescript" },
    },
  }));

  // The event's data is typed by the catalog's schema of user.created.
  const data: Schemas["EventData.user.created"] = {
    id: "usr_ts_1",
    email: "ana@acme.example",
    first_name: "Ana",
  };
  const published: Schemas["Published"] = must("publish", await api.POST("/api/v1/tenants/{tenant}/events", {
    params: { path, header: { "Idempotency-Key": "ts-usr_ts_1-created" } },
    body: { type: "user.created", data },
  }));

  // Wait for the delivery to succeed, reading the audit log by event.
  const deadline = Date.now() + 20_000;
  let delivery: Schemas["Delivery"] | undefined;
  while (Date.now() < deadline) {
    const page: Schemas["DeliveryList"] = must("list deliveries", await api.GET("/api/v1/tenants/{tenant}/deliveries", {
      params: { path, query: { event_id: published.id, include_counts: true, limit: 10 } },
    }));
    delivery = page.data[0];
    if (delivery?.state === "succeeded") break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!delivery) throw new Error("no delivery appeared");
  const detail: Schemas["DeliveryDetail"] = must("read delivery", await api.GET("/api/v1/tenants/{tenant}/deliveries/{id}", {
    params: { path: { ...path, id: delivery.id } },
  }));

  // An error answer is typed too.
  const missing = await api.GET("/api/v1/tenants/{tenant}/webhooks/{id}", {
    params: { path: { ...path, id: "wh_does_not_exist" } },
  });

  console.log(JSON.stringify({
    tenant: tenant.id,
    webhook_id: webhook.id,
    webhook_secret_matches: webhook.secret === env("WEBHOOK_SECRET"),
    event_id: published.id,
    deliveries: published.deliveries,
    delivery_id: detail.delivery.id,
    state: detail.delivery.state,
    attempts: detail.attempts.length,
    response_status: detail.attempts[0]?.response?.status ?? null,
    missing_status: missing.response.status,
    missing_code: missing.error?.error.code ?? null,
  }));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
});
