// A small program against the client generated from openapi.yaml (openapi-typescript types, openapi-fetch
// calls). tests/test_typescript_client.py type-checks it with `tsc --strict`: a response field the schema
// leaves optional, or a request field it stops requiring, breaks the build here before it breaks a user's.
import createClient, { type Client } from "openapi-fetch";

import type { components, paths } from "./generated/api";

type Claim = components["schemas"]["Claim"];
type ClaimFields = components["schemas"]["ClaimFields"];
type Problem = components["schemas"]["Error"];
type ClaimCreate = components["schemas"]["ClaimCreateRequest"];

type Api = Client<paths>;

function connect(baseUrl: string): Api {
  return createClient<paths>({ baseUrl });
}

// Without ?fields= every claim is whole; with it, only the fields asked for are sent.
function isWhole(claim: Claim | ClaimFields): claim is Claim {
  return "relations" in claim && "anchor" in claim;
}

function describe(claim: Claim): string {
  // Each of these reads would need a `!` or a check if the schema marked the field optional.
  const who = claim.subject?.name ?? "someone";
  const where = claim.countries.map((country) => country.code).join(", ");
  const amount = claim.quantity ? `${claim.quantity.lower ?? "?"}–${claim.quantity.upper ?? "?"} ${claim.quantity.unit}` : "";
  const quote = claim.anchor ? `“${claim.anchor.exact}” (${claim.anchor.start}–${claim.anchor.end})` : "(not quoted yet)";
  const related = claim.relations.map((relation) => `${relation.type} #${relation.claim.id}`).join("; ");
  return [
    `#${claim.id} ${claim.kind}/${claim.status} by ${who} [${where}] ${amount}`,
    `  ${claim.source.slug}, ${claim.source.published_on ?? "undated"}, reported ${claim.reported_on ?? "?"}`,
    `  ${quote} ${related} ${claim.review_status} ${claim.updated_at}`,
  ].join("\n");
}

function explain(problem: Problem): string {
  const fields = problem.errors.map((error) => `${error.in ?? "request"} ${error.field ?? "-"}: ${error.message}`);
  return [`${problem.status} ${problem.title} (${problem.type}): ${problem.detail}`, ...fields].join("\n");
}

// Every troop deployment involving Ukraine, page by page: `next` carries the cursor of the following page.
async function listAll(api: Api, pageSize: number): Promise<Claim[]> {
  const claims: Claim[] = [];
  let cursor: string | undefined;
  do {
    const query = { kind: ["troop_deployment" as const], country: ["UA"], page_size: pageSize, ...(cursor ? { cursor } : {}) };
    const { data, error, response } = await api.GET("/api/v1/claims/", { params: { query } });
    // An error answers a problem document; a 304 (to a conditional request) answers no body at all.
    if (data === undefined) {
      throw new Error(error ? explain(error) : `${response.status} without a body`);
    }
    claims.push(...data.results.filter(isWhole));
    cursor = data.next ? (new URL(data.next).searchParams.get("cursor") ?? undefined) : undefined;
  } while (cursor);
  return claims;
}

// A bad query parameter answers a problem document that says which parameter is wrong.
async function badQuery(api: Api): Promise<Problem | undefined> {
  const { error } = await api.GET("/api/v1/claims/", {
    params: { query: { ordering: ["-reported_on"], as_of: "not a date" } },
  });
  return error;
}

const draft: ClaimCreate = {
  source: "commentary-2022-01-24-russian-build-up",
  kind: "troop_deployment",
  status: "ongoing",
  summary: "Russia has amassed over 100,000 troops around Ukraine.",
  subject: "russia",
  countries: ["RU", "UA"],
  quantity: { value: 100000, qualifier: "more_than", unit: "soldiers", text: "over 100,000" },
  quote: "Russia has amassed over 100,000 troops around Ukraine",
};

// @ts-expect-error: a claim is anchored to its source's text, so a create without a quote is a type error.
const unquoted: ClaimCreate = { source: draft.source, kind: draft.kind, status: draft.status, summary: draft.summary };

async function create(api: Api, token: string): Promise<Claim> {
  const { data, error, response } = await api.POST("/api/v1/claims/", {
    body: draft,
    headers: { Authorization: `Token ${token}` },
  });
  if (data === undefined) {
    throw new Error(error ? explain(error) : `${response.status} without a body`);
  }
  return data;
}

export { badQuery, connect, create, describe, explain, listAll, unquoted };
