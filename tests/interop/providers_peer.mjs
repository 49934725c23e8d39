// The official provider SDKs' side of tests/provider_sdks.rs.
//
//   node providers_peer.mjs <cases.json>
//
// Input: {"cases": [{provider, body, tampered, secret, key?, url?, hookproof: {headers}}]}
// (bodies as UTF-8 text). For every case the SDK gives its verdict on
// hookproof's headers with the body and with the tampered body; where the
// SDK can sign (twilio, workos; sendgrid through Node's own ECDSA, since
// only SendGrid holds its key), it also signs the body and returns its
// headers for hookproof to verify. Verdicts: "accept", "reject", or
// "error: ..." (anything unexpected, which the Rust side counts as a
// disagreement). Prints {"versions", "sendgrid_public_key", "results"}.

import { readFileSync } from "node:fs";
import { createPrivateKey, createPublicKey, createSign, generateKeyPairSync, sign, verify } from "node:crypto";

import { verifyKey } from "discord-interactions";
import Telnyx from "telnyx";
import { EventWebhook } from "@sendgrid/eventwebhook";
import twilio from "twilio";
import { WorkOS } from "@workos-inc/node";
import * as gocardlessWebhooks from "gocardless-nodejs";
import { Paddle } from "@paddle/paddle-node-sdk";
import Mux from "@mux/mux-node";
import { validateSignature as lineValidate } from "@line/bot-sdk";
import Razorpay from "razorpay";
import { WebhooksHelper } from "square";
import { LinearWebhookClient } from "@linear/sdk/webhooks";
import { ElevenLabsClient } from "@elevenlabs/elevenlabs-js";
import { Cashfree, CFEnvironment } from "cashfree-pg";
import { AwsLambdaReceiver } from "@zoom/rivet/users";
import { validateEvent as polarValidateEvent, WebhookVerificationError as PolarVerificationError } from "@polar-sh/sdk/webhooks";
import { validateWebhook as replicateValidateWebhook } from "replicate";
import Finch from "@tryfinch/finch-api";
import ModernTreasury from "modern-treasury";
import Orb from "orb-billing";
import { WebflowClient } from "webflow-api";
import Pusher from "pusher";
import coinbaseCommerce from "coinbase-commerce-node";
import { WebhookEventVerifier as OnfidoVerifier, OnfidoInvalidSignatureError } from "@onfido/api";
import { encodeSignatureHeader as sanitySign, isValidSignature as sanityIsValid } from "@sanity/webhook";
import { createRequire } from "node:module";
import EasyPost from "@easypost/api";
import chargily from "@chargily/chargily-pay";
import { sign as retellSign, verify as retellVerify } from "retell-sdk";
import { verifyWebhookSignature as hookdeckVerify } from "@hookdeck/sdk/webhooks/helpers.js";
import { verifyRequestSignature as customerioVerify } from "customerio-node";
import { StreamChat } from "stream-chat";
import { webhooks as worldlineWebhooks } from "onlinepayments-sdk-nodejs";
import { WebhookHandler as LiveblocksWebhookHandler } from "@liveblocks/node";
import { verifyWebhook as clerkVerifyWebhook } from "@clerk/backend/webhooks";
import { Resend } from "resend";
import OpenAI, { InvalidWebhookSignatureError as OpenAIInvalidSignatureError } from "openai";
import { verifyTerraWebhookSignature, WebhookVerificationError as TerraVerificationError } from "terra-api";
import { signatureHelper as kontentSignatures } from "@kontent-ai/webhook-helper";
import { Nango } from "@nangohq/node";
import { verifyWebhook as gr4vyVerifyWebhook } from "@gr4vy/sdk";
import "@shopify/shopify-api/adapters/web-api";
import { shopifyApi, ApiVersion, LogSeverity } from "@shopify/shopify-api";

// CommonJS entry points that the packages' ESM builds leave out:
// SignalWire's validateRequest, MailerSend's MailerSendUtils (its README's
// `import { MailerSendUtils } from "mailersend"` does not resolve in 3.4.0).
const require = createRequire(import.meta.url);
const signalwire = require("@signalwire/compatibility-api");
const { MailerSendUtils } = require("mailersend/lib/services/mailersend.utils.js");

const version = (name) =>
  JSON.parse(readFileSync(new URL(`node_modules/${name}/package.json`, import.meta.url), "utf8")).version;

const PACKAGES = {
  discord: "discord-interactions",
  telnyx: "telnyx",
  sendgrid: "@sendgrid/eventwebhook",
  twilio: "twilio",
  workos: "@workos-inc/node",
  gocardless: "gocardless-nodejs",
  paddle: "@paddle/paddle-node-sdk",
  mux: "@mux/mux-node",
  line: "@line/bot-sdk",
  razorpay: "razorpay",
  square: "square",
  linear: "@linear/sdk",
  elevenlabs: "@elevenlabs/elevenlabs-js",
  cashfree: "cashfree-pg",
  zoom: "@zoom/rivet",
  polar: "@polar-sh/sdk",
  replicate: "replicate",
  finch: "@tryfinch/finch-api",
  "modern-treasury": "modern-treasury",
  orb: "orb-billing",
  webflow: "webflow-api",
  pusher: "pusher",
  "coinbase-commerce": "coinbase-commerce-node",
  onfido: "@onfido/api",
  sanity: "@sanity/webhook",
  easypost: "@easypost/api",
  chargily: "@chargily/chargily-pay",
  retell: "retell-sdk",
  hookdeck: "@hookdeck/sdk",
  signalwire: "@signalwire/compatibility-api",
  customerio: "customerio-node",
  getstream: "stream-chat",
  mailersend: "mailersend",
  worldline: "onlinepayments-sdk-nodejs",
  liveblocks: "@liveblocks/node",
  clerk: "@clerk/backend",
  resend: "resend",
  openai: "openai",
  terra: "terra-api",
  "kontent-ai": "@kontent-ai/webhook-helper",
  nango: "@nangohq/node",
  shopify: "@shopify/shopify-api",
  gr4vy: "@gr4vy/sdk",
};

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));

// SendGrid: a key pair made here, the public half handed to hookproof as
// the dashboard shows it (base64 DER).
const sendgridKeys = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const sendgridPublic = sendgridKeys.publicKey.export({ type: "spki", format: "der" }).toString("base64");

const workos = new WorkOS("sk_test_interop");
const paddle = new Paddle("pdl_sdbx_apikey_interop");
const mux = new Mux({ tokenId: "interop", tokenSecret: "interop" });
const telnyx = new Telnyx({ apiKey: "KEY_interop" });
const elevenlabs = new ElevenLabsClient({ apiKey: "interop" });

const formParams = (text) => {
  const params = {};
  for (const [name, value] of new URLSearchParams(text)) {
    if (name in params) params[name] = [].concat(params[name], value);
    else params[name] = value;
  }
  return params;
};

// Each: verify(case, headers, bodyText) -> true | false (throws on the
// unexpected); sign(case, bodyText) -> headers (optional).
const peers = {
  discord: {
    verify: (c, h, body) => verifyKey(body, h["x-signature-ed25519"], h["x-signature-timestamp"], c.key),
  },
  telnyx: {
    async verify(c, h, body) {
      try {
        await telnyx.webhooks.unwrap(body, { headers: h, key: c.key });
        return true;
      } catch (error) {
        if (error && error.name === "TelnyxWebhookVerificationError") return false;
        throw error;
      }
    },
  },
  sendgrid: {
    sign(c, body) {
      const timestamp = String(c.timestamp);
      const signer = createSign("SHA256");
      signer.update(timestamp + body);
      return {
        "x-twilio-email-event-webhook-timestamp": timestamp,
        "x-twilio-email-event-webhook-signature": signer.sign(sendgridKeys.privateKey).toString("base64"),
      };
    },
    verify(c, h, body) {
      const webhook = new EventWebhook();
      const key = webhook.convertPublicKeyToECDSA(sendgridPublic);
      return webhook.verifySignature(
        key,
        body,
        h["x-twilio-email-event-webhook-signature"],
        h["x-twilio-email-event-webhook-timestamp"],
      );
    },
  },
  twilio: {
    sign: (c, body) => ({ "x-twilio-signature": twilio.getExpectedTwilioSignature(c.secret, c.url, formParams(body)) }),
    verify: (c, h, body) => twilio.validateRequest(c.secret, h["x-twilio-signature"], c.url, formParams(body)),
  },
  workos: {
    async sign(c, body) {
      const t = c.timestamp * 1000;
      const signature = await workos.webhooks.computeSignature(t, body, c.secret);
      return { "workos-signature": `t=${t}, v1=${signature}` };
    },
    async verify(c, h, body) {
      try {
        return await workos.webhooks.verifyHeader({ payload: body, sigHeader: h["workos-signature"], secret: c.secret });
      } catch (error) {
        if (error && error.name === "SignatureVerificationException") return false;
        throw error;
      }
    },
  },
  gocardless: {
    verify(c, h, body) {
      try {
        gocardlessWebhooks.parse(body, c.secret, h["webhook-signature"]);
        return true;
      } catch (error) {
        if (error instanceof gocardlessWebhooks.InvalidSignatureError) return false;
        throw error;
      }
    },
  },
  paddle: {
    verify: (c, h, body) => paddle.webhooks.isSignatureValid(body, c.secret, h["paddle-signature"]),
  },
  mux: {
    async verify(c, h, body) {
      try {
        await mux.webhooks.verifySignature(body, h, c.secret);
        return true;
      } catch (error) {
        if (error && /signature|timestamp/i.test(error.message)) return false;
        throw error;
      }
    },
  },
  line: { verify: (c, h, body) => lineValidate(body, c.secret, h["x-line-signature"]) },
  razorpay: { verify: (c, h, body) => Razorpay.validateWebhookSignature(body, h["x-razorpay-signature"], c.secret) },
  square: {
    verify: (c, h, body) =>
      WebhooksHelper.verifySignature({
        requestBody: body,
        signatureHeader: h["x-square-hmacsha256-signature"],
        signatureKey: c.secret,
        notificationUrl: c.url,
      }),
  },
  linear: {
    verify(c, h, body) {
      try {
        return new LinearWebhookClient(c.secret).verify(Buffer.from(body, "utf8"), h["linear-signature"]);
      } catch (error) {
        if (error && /signature/i.test(error.message)) return false;
        throw error;
      }
    },
  },
  elevenlabs: {
    async verify(c, h, body) {
      try {
        await elevenlabs.webhooks.constructEvent(body, h["elevenlabs-signature"], c.secret);
        return true;
      } catch (error) {
        if (error && /signature|timestamp|hash/i.test(error.message)) return false;
        throw error;
      }
    },
  },
};

const verdict = async (peer, c, headers, body) => {
  try {
    return (await peer.verify(c, headers, body)) ? "accept" : "reject";
  } catch (error) {
    return `error: ${error && error.name}: ${error && error.message}`;
  }
};

peers.cashfree = {
  verify(c, h, body) {
    try {
      new Cashfree(CFEnvironment.SANDBOX, "interop", c.secret).PGVerifyWebhookSignature(
        h["x-webhook-signature"],
        body,
        h["x-webhook-timestamp"],
      );
      return true;
    } catch (error) {
      if (error && /did not match/.test(error.message)) return false;
      throw error;
    }
  },
};

// Zoom's receiver (its Lambda flavour: a plain function) answers 200 for a
// verified event and 400 "Failed to verify" otherwise; it logs every event
// with console.debug, which would corrupt this peer's JSON on stdout.
console.debug = () => {};
peers.zoom = {
  async verify(c, h, body) {
    const receiver = new AwsLambdaReceiver({ webhooksSecretToken: c.secret });
    receiver.init({ eventEmitter: { emit: async () => {} } });
    const answer = await receiver.start()({ body, headers: h, isBase64Encoded: false }, {});
    if (answer.statusCode === 200) return true;
    if (answer.statusCode === 400 && /Failed to verify/.test(answer.body)) return false;
    throw new Error(`zoom answered ${answer.statusCode} ${answer.body}`);
  },
};

// Standard Webhooks `v1a` (ed25519): no official library implements it, so
// Node's own ed25519 is the independent check. Keys are `whsk_`/`whpk_` +
// base64 of the 32-byte seed and public key.
const ED25519_PKCS8 = Buffer.from("302e020100300506032b657004220420", "hex");
const ED25519_SPKI = Buffer.from("302a300506032b6570032100", "hex");
const v1aMessage = (h, body) => Buffer.from(`${h["webhook-id"]}.${h["webhook-timestamp"]}.${body}`, "utf8");
peers["standard-webhooks-v1a"] = {
  sign(c, body) {
    const seed = Buffer.from(c.secret.slice(5), "base64");
    const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8, seed]), format: "der", type: "pkcs8" });
    const headers = { "webhook-id": `msg_${c.timestamp}`, "webhook-timestamp": String(c.timestamp) };
    headers["webhook-signature"] = `v1a,${sign(null, v1aMessage(headers, body), key).toString("base64")}`;
    return headers;
  },
  verify(c, h, body) {
    const raw = Buffer.from(c.key.slice(5), "base64");
    const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI, raw]), format: "der", type: "spki" });
    const entry = h["webhook-signature"].split(" ").find((e) => e.startsWith("v1a,"));
    return verify(null, v1aMessage(h, body), key, Buffer.from(entry.slice(4), "base64"));
  },
};

// Stainless-generated SDKs throw a plain Error whose message says what
// failed; only a signature mismatch counts as a rejection.
const mismatch = (error) => error && /signatures? (do not|did not|don't)? ?match|None of the given webhook signatures/i.test(error.message);
const finch = new Finch({ accessToken: "interop" });
const moderntreasury = new ModernTreasury({ apiKey: "interop", organizationID: "interop" });
const orb = new Orb({ apiKey: "interop" });
const webflow = new WebflowClient({ accessToken: "interop" });
const PUSHER_KEY = "interop-key";

// Polar 0.49 checks the signature (standardwebhooks, the secret's text as
// the key), then parses the payload with its models: a payload error
// after a good signature is an accepted signature.
peers.polar = {
  verify(c, h, body) {
    try {
      polarValidateEvent(body, h, c.secret);
      return true;
    } catch (error) {
      if (error instanceof PolarVerificationError) return false;
      if (error && error.name === "SDKValidationError") return true;
      throw error;
    }
  },
};
peers.replicate = {
  verify: (c, h, body) => replicateValidateWebhook({ headers: h, body }, c.secret),
};
peers.finch = {
  sign(c, body) {
    const id = `evt_${c.timestamp}`;
    const signature = finch.webhooks.signPayload(body, {
      eventId: id,
      timestamp: new Date(c.timestamp * 1000),
      secret: finch.webhooks.parseSecret(c.secret),
    });
    return { "finch-event-id": id, "finch-timestamp": String(c.timestamp), "finch-signature": signature };
  },
  verify(c, h, body) {
    try {
      finch.webhooks.verifySignature(body, h, c.secret);
      return true;
    } catch (error) {
      if (mismatch(error)) return false;
      throw error;
    }
  },
};
peers["modern-treasury"] = {
  sign: (c, body) => ({ "x-signature": moderntreasury.webhooks.getSignature(body, { key: c.secret }) }),
  verify: (c, h, body) => moderntreasury.webhooks.validateSignature(body, h, { key: c.secret }),
};
// Orb writes its timestamp without an offset (UTC), with a fraction.
peers.orb = {
  sign(c, body) {
    const timestamp = new Date(c.timestamp * 1000 + 123).toISOString().replace("Z", "");
    const secret = orb.webhooks.parseSecret(c.secret);
    return { "x-orb-timestamp": timestamp, "x-orb-signature": orb.webhooks.signPayload(body, { timestamp, secret }) };
  },
  verify(c, h, body) {
    try {
      orb.webhooks.verifySignature(body, h, c.secret);
      return true;
    } catch (error) {
      if (mismatch(error)) return false;
      throw error;
    }
  },
};
peers.webflow = {
  verify: (c, h, body) => webflow.webhooks.verifySignature({ headers: h, body, secret: c.secret }),
};
// Pusher sends X-Pusher-Key (unsigned) beside the signature; its SDK also
// wants the JSON content type.
peers.pusher = {
  sign: (c, body) => ({ "x-pusher-signature": new Pusher.Token(PUSHER_KEY, c.secret).sign(body) }),
  verify(c, h, body) {
    const pusher = new Pusher({ appId: "1", key: PUSHER_KEY, secret: c.secret, cluster: "mt1" });
    const headers = { ...h, "x-pusher-key": PUSHER_KEY, "content-type": "application/json" };
    return pusher.webhook({ headers, rawBody: body }).isValid();
  },
};
peers["coinbase-commerce"] = {
  sign: (c, body) => ({ "x-cc-webhook-signature": coinbaseCommerce.Webhook.computeSignature(body, c.secret) }),
  verify(c, h, body) {
    try {
      return coinbaseCommerce.Webhook.verifySigHeader(body, h["x-cc-webhook-signature"], c.secret);
    } catch (error) {
      if (error && /^No signatures found matching/.test(error.message)) return false;
      throw error;
    }
  },
};
peers.onfido = {
  verify(c, h, body) {
    try {
      new OnfidoVerifier(c.secret).readPayload(body, h["x-sha2-signature"]);
      return true;
    } catch (error) {
      if (error instanceof OnfidoInvalidSignatureError) return false;
      throw error;
    }
  },
};
peers.sanity = {
  sign: async (c, body) => ({ "sanity-webhook-signature": await sanitySign(body, c.timestamp * 1000, c.secret) }),
  verify: (c, h, body) => sanityIsValid(body, h["sanity-webhook-signature"], c.secret),
};

const easypost = new EasyPost("interop");
// Chargily's verifySignature logs "The signature is valid" with
// console.log, which would corrupt this peer's JSON on stdout.
console.log = () => {};
peers.easypost = {
  verify(c, h, body) {
    try {
      easypost.Utils.validateWebhook(body, h, c.secret);
      return true;
    } catch (error) {
      if (error && /Webhook received did not originate from EasyPost/.test(error.message)) return false;
      throw error;
    }
  },
};
peers.chargily = {
  verify(c, h, body) {
    try {
      return chargily.verifySignature(Buffer.from(body, "utf8"), h["signature"], c.secret);
    } catch (error) {
      if (error && error.message === "The signature is invalid.") return false;
      throw error;
    }
  },
};
peers.retell = {
  sign: async (c, body) => ({ "x-retell-signature": await retellSign(body, c.secret) }),
  verify: (c, h, body) => retellVerify(body, c.secret, h["x-retell-signature"]),
};
peers.hookdeck = {
  async verify(c, h, body) {
    return (await hookdeckVerify({ headers: h, rawBody: body, signingSecret: c.secret })).isValidSignature;
  },
};
// SignalWire's Compatibility API is Twilio's scheme; its validateRequest
// also tries the URL with and without the port.
peers.signalwire = {
  verify: (c, h, body) =>
    signalwire.RestClient.validateRequest(c.secret, h["x-signalwire-signature"], c.url, formParams(body), true),
};
peers.customerio = {
  verify: (c, h, body) =>
    customerioVerify({
      signingSecret: c.secret,
      timestamp: h["x-cio-timestamp"],
      signature: h["x-cio-signature"],
      body: Buffer.from(body, "utf8"),
    }),
};
peers.getstream = {
  verify: (c, h, body) => new StreamChat("interop-key", c.secret).verifyWebhook(body, h["x-signature"]),
};
peers.mailersend = {
  verify: (c, h, body) => MailerSendUtils.verifyWebHook(Buffer.from(body, "utf8"), h["signature"], c.secret),
};
// Worldline sends X-GCS-KeyId (unsigned) to name the key; the SDK looks the
// secret up in its key store by that id.
peers.worldline = {
  async verify(c, h, body) {
    const keyId = `key-${c.timestamp}`;
    worldlineWebhooks.inMemorySecretKeyStore.storeSecretKey(keyId, c.secret);
    try {
      await worldlineWebhooks.init(worldlineWebhooks.inMemorySecretKeyStore).validate(body, { ...h, "X-GCS-KeyId": keyId });
      return true;
    } catch (error) {
      if (error && /^failed to validate signature/.test(error.message)) return false;
      throw error;
    } finally {
      worldlineWebhooks.inMemorySecretKeyStore.removeSecretKey(keyId);
    }
  },
};
peers.liveblocks = {
  verify(c, h, body) {
    try {
      new LiveblocksWebhookHandler(c.secret).verifyRequest({ headers: h, rawBody: body });
      return true;
    } catch (error) {
      if (error && /^Invalid signature/.test(error.message)) return false;
      throw error;
    }
  },
};

// Clerk's verifyWebhook takes a fetch Request and reads only the `svix-*`
// headers Clerk sends (hookproof's `clerk` alias signs under them); it
// throws "@clerk/backend: Unable to verify incoming webhook: ..." when
// standardwebhooks refuses the signature.
peers.clerk = {
  async verify(c, h, body) {
    const request = new Request("https://example.com/webhooks/clerk", { method: "POST", headers: h, body });
    try {
      await clerkVerifyWebhook(request, { signingSecret: c.secret });
      return true;
    } catch (error) {
      if (error && /Unable to verify incoming webhook: No matching signature found$/.test(error.message)) return false;
      throw error;
    }
  },
};
// Resend's webhooks.verify takes the three header values, not the headers:
// the caller picks them out (Resend's docs read `svix-*`; hookproof's
// Signer writes `webhook-*`, the same values).
const resend = new Resend("re_interop");
peers.resend = {
  verify(c, h, body) {
    const headers = { id: h["webhook-id"], timestamp: h["webhook-timestamp"], signature: h["webhook-signature"] };
    try {
      resend.webhooks.verify({ payload: body, headers, webhookSecret: c.secret });
      return true;
    } catch (error) {
      if (error && error.name === "WebhookVerificationError" && error.message === "No matching signature found") return false;
      throw error;
    }
  },
};
const openai = new OpenAI({ apiKey: "sk-interop" });
peers.openai = {
  async verify(c, h, body) {
    try {
      await openai.webhooks.verifySignature(body, h, c.secret);
      return true;
    } catch (error) {
      if (error instanceof OpenAIInvalidSignatureError && /signature does not match/.test(error.message)) return false;
      throw error;
    }
  },
};

peers.terra = {
  async verify(c, h, body) {
    try {
      return await verifyTerraWebhookSignature(body, h["terra-signature"], c.secret);
    } catch (error) {
      if (error instanceof TerraVerificationError && /No matching signature/.test(error.message)) return false;
      throw error;
    }
  },
};
peers["kontent-ai"] = {
  sign: (c, body) => ({ "x-kc-signature": kontentSignatures.getHashFromString(body, c.secret) }),
  verify: (c, h, body) => kontentSignatures.isValidSignatureFromString(body, c.secret, h["x-kc-signature"]),
};
peers.nango = {
  verify: (c, h, body) => new Nango({ secretKey: c.secret }).verifyIncomingWebhookRequest(body, h),
};

// Shopify's library checks the HMAC, then that the headers Shopify sends
// beside it (topic, shop, API version, webhook id: none of them signed)
// are present; the peer adds those as Shopify would.
peers.shopify = {
  async verify(c, h, body) {
    const shopify = shopifyApi({
      apiKey: "interop",
      apiSecretKey: c.secret,
      scopes: [],
      hostName: "example.com",
      apiVersion: ApiVersion.October24,
      isEmbeddedApp: false,
      logger: { level: LogSeverity.Error, log: () => {} },
    });
    const headers = {
      ...h,
      "x-shopify-topic": "orders/create",
      "x-shopify-shop-domain": "example.myshopify.com",
      "x-shopify-api-version": "2024-10",
      "x-shopify-webhook-id": `w${c.timestamp}`,
    };
    const rawRequest = new Request("https://example.com/webhooks", { method: "POST", headers, body });
    const result = await shopify.webhooks.validate({ rawBody: body, rawRequest });
    if (result.valid) return true;
    if (result.reason === "invalid_hmac") return false;
    throw new Error(`shopify: ${JSON.stringify(result)}`);
  },
};

peers.gr4vy = {
  verify(c, h, body) {
    try {
      gr4vyVerifyWebhook(body, c.secret, h["x-gr4vy-signature"], h["x-gr4vy-timestamp"], 300);
      return true;
    } catch (error) {
      if (error && error.message === "No matching signature found") return false;
      throw error;
    }
  },
};

const results = [];
for (const c of input.cases) {
  const peer = peers[c.provider];
  const result = {
    ours: await verdict(peer, c, c.hookproof, c.body),
    ours_tampered: await verdict(peer, c, c.hookproof, c.tampered),
  };
  if (peer.sign) {
    result.headers = await peer.sign(c, c.body);
    result.own = await verdict(peer, c, result.headers, c.body);
  }
  results.push(result);
}

const versions = Object.fromEntries(Object.values(PACKAGES).map((name) => [name, version(name)]));
versions.node = process.version;
process.stdout.write(JSON.stringify({ versions, sendgrid_public_key: sendgridPublic, results }));
