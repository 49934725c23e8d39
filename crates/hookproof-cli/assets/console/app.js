// The hookproof console. Every value from a delivery is attacker-controlled:
// it only ever reaches the page through textContent (never innerHTML), and
// the Content-Security-Policy allows no inline script besides.
"use strict";

(function () {
  const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
  const $ = (id) => document.getElementById(id);
  const seen = new Set();
  let first = true;
  let view = "events";
  let selected = null; // {kind: "event"|"rejected", id}
  let lastDetail = "";
  let providersFilled = false;
  let lastEvents = "";
  let lastRejected = "";

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  async function api(path, options) {
    const init = Object.assign({ headers: {} }, options || {});
    init.headers["x-hookproof-token"] = token || "page";
    if (init.body !== undefined) init.headers["content-type"] = "application/json";
    const response = await fetch("api/" + path, init);
    const json = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(json.message || json.error || String(response.status));
    return json;
  }

  function when(ms) {
    const date = new Date(ms);
    const pad = (n) => String(n).padStart(2, "0");
    return pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + " " +
      pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds());
  }

  function stateBadge(state) {
    return el("span", state, "state state-" + state);
  }

  function renderEvents(data) {
    const stats = data.stats || {};
    $("stats").textContent = ["pending", "processing", "done", "dead"].map((s) => s + " " + (stats[s] || 0)).join(" · ");
    if (!providersFilled) {
      for (const name of data.providers || []) $("filter-provider").append(el("option", name));
      providersFilled = true;
    }
    $("replay-box").hidden = !data.replay;
    // Rebuilt only when something changed, so rows stay put between changes.
    const key = JSON.stringify([data.events, selected]);
    if (key === lastEvents) return;
    lastEvents = key;
    const body = document.createElement("tbody");
    for (const event of data.events) {
      const row = el("tr");
      row.dataset.id = event.id;
      row.dataset.state = event.state;
      if (!first && !seen.has(event.id)) row.classList.add("new");
      seen.add(event.id);
      if (selected && selected.kind === "event" && selected.id === event.id) row.classList.add("selected");
      row.append(el("td", event.id, "mono"), el("td", when(event.received_at_ms), "when"), el("td", event.scheme, "provider"),
        el("td", event.event_type || "", "event-type"), el("td", event.provider_id || event.key.slice(0, 12), "mono"));
      const state = el("td", undefined, "state-cell");
      state.append(stateBadge(event.state));
      row.append(state, el("td", event.attempts, "attempts"), el("td", event.last_error || "", "error"));
      row.addEventListener("click", () => open({ kind: "event", id: event.id }));
      body.append(row);
    }
    $("events").replaceChild(body, $("events").tBodies[0]);
    first = false;
  }

  function renderRejected(data) {
    const key = JSON.stringify([data.rejected, selected]);
    if (key === lastRejected) return;
    lastRejected = key;
    const body = document.createElement("tbody");
    for (const item of data.rejected) {
      const row = el("tr");
      row.dataset.id = item.id;
      if (selected && selected.kind === "rejected" && selected.id === item.id) row.classList.add("selected");
      row.append(el("td", item.id, "mono"), el("td", when(item.received_at_ms), "when"), el("td", item.scheme, "provider"),
        el("td", item.status), el("td", item.code, "mono code"), el("td", item.reason, "reason"));
      row.addEventListener("click", () => showRejected(item));
      body.append(row);
    }
    $("rejected").replaceChild(body, $("rejected").tBodies[0]);
  }

  function facts(pairs) {
    const list = $("detail-facts");
    list.replaceChildren();
    for (const [name, value] of pairs) {
      if (value === null || value === undefined || value === "") continue;
      list.append(el("dt", name), el("dd", value));
    }
  }

  function showHeadersAndBody(headers, body, pretty) {
    const table = document.createElement("tbody");
    for (const [name, value] of Object.entries(headers || {})) {
      const row = el("tr");
      row.append(el("td", name, "mono"), el("td", value, "mono"));
      table.append(row);
    }
    $("detail-headers").replaceChild(table, $("detail-headers").tBodies[0]);
    $("detail-body").textContent = pretty || body || "";
  }

  async function open(target) {
    selected = target;
    lastDetail = "";
    $("action-result").textContent = "";
    await refreshDetail();
  }

  async function refreshDetail() {
    if (!selected || selected.kind !== "event") return;
    const event = await api("events/" + selected.id);
    const key = JSON.stringify(event);
    if (key === lastDetail) return;
    lastDetail = key;
    $("detail").hidden = false;
    $("detail-actions").hidden = false;
    $("detail-title").textContent = "Delivery #" + event.id;
    $("detail").dataset.state = event.state;
    facts([["state", event.state], ["provider", event.scheme], ["event type", event.event_type],
      ["id", event.provider_id], ["event key", event.key], ["received", when(event.received_at_ms)],
      ["signed at", event.timestamp ? when(event.timestamp * 1000) : null], ["attempts", String(event.attempts)],
      ["last error", event.last_error], ["body", event.body_size + " bytes"]]);
    $("retry").disabled = !(event.state === "dead" || event.state === "done");
    showHeadersAndBody(event.headers, event.body, event.body_pretty);
  }

  function showRejected(item) {
    selected = { kind: "rejected", id: item.id };
    lastDetail = "";
    $("detail").hidden = false;
    $("detail-actions").hidden = true;
    $("detail-title").textContent = "Refused #" + item.id;
    facts([["status", String(item.status)], ["code", item.code], ["reason", item.reason], ["provider", item.scheme],
      ["received", when(item.received_at_ms)], ["body", item.body_size + " bytes"]]);
    showHeadersAndBody(item.headers, item.body, item.body_pretty);
  }

  async function poll() {
    try {
      if (view === "events") {
        const query = new URLSearchParams({ state: $("filter-state").value, provider: $("filter-provider").value });
        renderEvents(await api("events?" + query));
        await refreshDetail();
      } else {
        renderRejected(await api("rejected"));
      }
      $("status").textContent = "live · updated " + new Date().toLocaleTimeString();
      document.body.dataset.polls = String(Number(document.body.dataset.polls || 0) + 1);
    } catch (error) {
      $("status").textContent = "error: " + error.message;
    }
  }

  async function act(promise, describe) {
    try {
      $("action-result").textContent = describe(await promise);
    } catch (error) {
      $("action-result").textContent = "failed: " + error.message;
    }
    lastDetail = "";
    await poll();
  }

  function switchTo(name) {
    view = name;
    $("tab-events").classList.toggle("active", name === "events");
    $("tab-rejected").classList.toggle("active", name === "rejected");
    $("events-view").hidden = name !== "events";
    $("rejected-view").hidden = name !== "rejected";
    $("detail").hidden = true;
    selected = null;
    poll();
  }

  $("tab-events").addEventListener("click", () => switchTo("events"));
  $("tab-rejected").addEventListener("click", () => switchTo("rejected"));
  $("filter-state").addEventListener("change", poll);
  $("filter-provider").addEventListener("change", poll);
  $("detail-close").addEventListener("click", () => { $("detail").hidden = true; selected = null; });
  $("retry").addEventListener("click", () => {
    if (selected) act(api("events/" + selected.id + "/retry", { method: "POST" }), (r) => r.retried ? "queued again" : "not retried");
  });
  $("replay").addEventListener("click", () => {
    if (selected) act(api("events/" + selected.id + "/replay", { method: "POST", body: JSON.stringify({ to: $("replay-to").value }) }),
      (r) => "answered " + r.status);
  });
  for (const state of ["done", "dead"]) {
    $("purge-" + state).addEventListener("click", () => {
      if (confirm("Delete every " + state + " event?")) act(api("purge?state=" + state, { method: "POST" }), (r) => r.purged + " purged");
    });
  }
  poll();
  setInterval(poll, 1000);
})();
