// The official Node libraries' side of tests/interop.rs.
//
//   node peer.mjs <standardwebhooks|svix|octokit|stripe> <cases.json>
//
// For every case the official library signs the body (its own headers) and
// gives its verdict on four deliveries: hookproof's headers and its own, each
// with the body and with the tampered body. Verdicts: "accept", "reject"
// (the library's verification error or `false`), "refused_empty" (the
// library refuses an empty payload before any signature check),
// "accept_not_json" (the signature matched, then the library failed to parse
// the payload as JSON) or "error: ..." (anything else, which the Rust side
// counts as a disagreement).
// Prints {"library", "versions", "results": [...]} as JSON on stdout.

import { readFileSync } from "node:fs";

import * as standardwebhooks from "standardwebhooks";
import * as svix from "svix";
import * as octokit from "@octokit/webhooks-methods";
import Stripe from "stripe";

// The installed version (some packages do not export their package.json).
const version = (name) =>
  JSON.parse(readFileSync(new URL(`node_modules/${name}/package.json`, import.meta.url), "utf8")).version;

const [library, casesPath] = process.argv.slice(2);
const input = JSON.parse(readFileSync(casesPath, "utf8"));

function verdictOf(error, body, refusesEmpty) {
  if (body.length === 0 && refusesEmpty(error)) return "refused_empty";
  // svix and stripe parse the payload only once its signature matched.
  if (error instanceof SyntaxError) return "accept_not_json";
  return `error: ${error && error.name}: ${error && error.message}`;
}

// Each peer: sign(case, bodyText) -> headers object; verify(case, headers,
// bodyBuffer) -> true | false, throwing for anything unexpected.
const peers = {
  standardwebhooks: {
    versions: { standardwebhooks: version("standardwebhooks") },
    sign(c, text) {
      const signature = new standardwebhooks.Webhook(c.secret).sign(c.id, new Date(c.timestamp * 1000), text);
      return { "webhook-id": c.id, "webhook-timestamp": String(c.timestamp), "webhook-signature": signature };
    },
    verify(c, headers, body) {
      try {
        // Raw text, not JSON: jsonParse off so any UTF-8 payload is fine.
        new standardwebhooks.Webhook(c.secret).verify(body.toString("utf8"), headers, { jsonParse: false });
        return true;
      } catch (error) {
        if (error instanceof standardwebhooks.WebhookVerificationError) return false;
        throw error;
      }
    },
    refusesEmpty: () => false,
  },
  svix: {
    versions: { svix: version("svix") },
    sign(c, text) {
      const signature = new svix.Webhook(c.secret).sign(c.id, new Date(c.timestamp * 1000), text);
      // Svix's own header names: hookproof must accept them too.
      return { "svix-id": c.id, "svix-timestamp": String(c.timestamp), "svix-signature": signature };
    },
    verify(c, headers, body) {
      try {
        // Buffer, as a server hands it over; JSON bodies (svix parses them).
        new svix.Webhook(c.secret).verify(body, headers);
        return true;
      } catch (error) {
        if (error instanceof svix.WebhookVerificationError) return false;
        throw error;
      }
    },
    refusesEmpty: () => false,
  },
  octokit: {
    versions: { "@octokit/webhooks-methods": version("@octokit/webhooks-methods") },
    async sign(c, text) {
      return { "x-hub-signature-256": await octokit.sign(c.secret, text), "x-github-delivery": c.id };
    },
    async verify(c, headers, body) {
      return octokit.verify(c.secret, body.toString("utf8"), headers["x-hub-signature-256"]);
    },
    // `secret & payload required`: a TypeError before any HMAC.
    refusesEmpty: (error) => error instanceof TypeError && /payload/i.test(error.message),
  },
  stripe: (() => {
    const stripe = new Stripe("sk_test_interop_no_network");
    return {
      versions: { stripe: version("stripe") },
      sign(c, text) {
        const header = stripe.webhooks.generateTestHeaderString({
          payload: text,
          secret: c.secret,
          timestamp: c.timestamp,
        });
        return { "stripe-signature": header };
      },
      verify(c, headers, body) {
        try {
          // Raw Buffer, Stripe's default 300 s tolerance, received now.
          stripe.webhooks.constructEvent(body, headers["stripe-signature"], c.secret, 300, undefined, input.now * 1000);
          return true;
        } catch (error) {
          if (body.length === 0 && /No webhook payload/.test(error.message)) throw error;
          if (error instanceof Stripe.errors.StripeSignatureVerificationError) return false;
          throw error;
        }
      },
      refusesEmpty: (error) => /No webhook payload was provided/.test(error.message),
    };
  })(),
};

const peer = peers[library];
if (!peer) {
  console.error(`unknown library ${library}; expected one of ${Object.keys(peers).join(", ")}`);
  process.exit(2);
}

const results = [];
for (const c of input.cases) {
  const body = Buffer.from(c.body_b64, "base64");
  const tampered = Buffer.from(c.tampered_b64, "base64");
  const result = { signed: null, sign_error: null, verdicts: {} };
  try {
    result.signed = await peer.sign(c, body.toString("utf8"));
  } catch (error) {
    result.sign_error = verdictOf(error, body, peer.refusesEmpty);
  }
  const deliveries = [
    ["hookproof_body", c.hookproof_headers, body],
    ["hookproof_tampered", c.hookproof_headers, tampered],
    ["official_body", result.signed, body],
    ["official_tampered", result.signed, tampered],
  ];
  for (const [name, headers, payload] of deliveries) {
    if (!headers) continue;
    try {
      result.verdicts[name] = (await peer.verify(c, headers, payload)) ? "accept" : "reject";
    } catch (error) {
      result.verdicts[name] = verdictOf(error, payload, peer.refusesEmpty);
    }
  }
  results.push(result);
}

process.stdout.write(JSON.stringify({ library, versions: peer.versions, results }));
