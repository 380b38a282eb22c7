// The planner's dashboard: reads the /v1 API of this same server and draws with the bundled plotly.js.
"use strict";

const DEFAULT_MW = 100;          // the "default request" of the regions table
const DEFAULT_YEARS = 2;         // ... to be energized this many years from today
const FAN = [0.1, 0.25, 0.5, 0.75, 0.9];
const $ = (id) => document.getElementById(id);
const mw = (v) => (v == null ? "—" : Math.round(v).toLocaleString("en-US") + " MW");
const pct = (p) => Math.round(p * 100) + " %";

function isoDate(d) { return d.toISOString().slice(0, 10); }
function yearsFromNow(n) { const d = new Date(); d.setUTCFullYear(d.getUTCFullYear() + n); return isoDate(d); }

// One fetch helper: resolves {ok, status, body}; error bodies have the API's one shape.
async function api(path, init) {
  const response = await fetch(path, init);
  let body = null;
  try { body = await response.json(); } catch (_) { body = null; }
  return { ok: response.ok, status: response.status, body };
}
function postJson(path, payload) {
  return api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload) });
}
// A failed answer in words; a feature whose model is not built yet says so plainly.
function failure(what, result) {
  const error = (result.body && result.body.error) || {};
  if (error.code === "not_available") return `${what} is not available yet (${error.message}).`;
  return `${what} could not be shown: ${error.message || "HTTP " + result.status}`;
}
// What each region's data can answer (from /v1/regions): views are asked for only when available.
const VIEWS = {};
function viewMissing(region, name) {
  const view = VIEWS[region] && VIEWS[region][name];
  return view && !view.available ? view : null;
}
// A request that throws (network) resolves like a failed answer, so no caller is left waiting.
async function safeApi(path, init) {
  try { return await api(path, init); } catch (err) { return { ok: false, status: 0, body: { error: { message: String(err) } } }; }
}
function cell(row, text, cls) { const td = row.insertCell(); td.textContent = text; if (cls) td.className = cls; return td; }
function headroomClass(v) { return v != null && v < 0 ? "num neg" : "num"; }

async function loadRegions() {
  $("default-request").textContent = `${DEFAULT_MW} MW by ${yearsFromNow(DEFAULT_YEARS)}`;
  const [result, catalog] = await Promise.all([safeApi("/v1/overview"), safeApi("/v1/regions")]);
  if (catalog.ok) for (const r of catalog.body.regions) VIEWS[r.id] = r.views || {};
  const tbody = $("regions-table").tBodies[0];
  tbody.innerHTML = "";
  if (!result.ok) { $("regions-status").textContent = failure("The regions overview", result); return []; }
  const select = $("region-select");
  for (const r of result.body.regions) {
    const row = tbody.insertRow();
    row.dataset.region = r.region;
    cell(row, `${r.name} (${r.region})`);
    cell(row, mw(r.latest_load && r.latest_load.value), "num");
    const now = r.headroom_now && r.headroom_now.value;
    cell(row, mw(now), headroomClass(now));
    const low = r.min_p10_headroom_7d;
    const lowCell = cell(row, mw(low && low.value), headroomClass(low && low.value));
    if (low) lowCell.title = `at ${low.ts}`;
    cell(row, "…", "risk").dataset.region = r.region;
    row.addEventListener("click", () => { select.value = r.region; showRegion(r.region); });
    select.add(new Option(`${r.name} (${r.region})`, r.region));
  }
  select.addEventListener("change", () => showRegion(select.value));
  loadQueueRisk(result.body.regions.map((r) => r.region));
  return result.body.regions;
}

async function loadQueueRisk(regions) {
  const target = yearsFromNow(DEFAULT_YEARS);
  let unavailable = null;
  await Promise.all(regions.map(async (region) => {
    const td = document.querySelector(`td.risk[data-region="${region}"]`);
    const missing = viewMissing(region, "queue_risk");
    if (missing) { td.textContent = "needs more history"; td.title = `Queue risk needs ${missing.needs}`; return; }
    let result;
    try {
      result = await postJson("/v1/queue-risk", { region, mw: DEFAULT_MW, target_date: target });
    } catch (err) {
      result = { ok: false, status: 0, body: { error: { message: String(err) } } };
    }
    if (result.ok) {
      td.textContent = `${result.body.risk} · ${pct(result.body.p_energized_by_target)} energized by target`;
      td.className = `risk risk-${result.body.risk}`;
      td.title = result.body.drivers.join("; ");
    } else {
      td.textContent = result.body && result.body.error && result.body.error.code === "not_available"
        ? "not available yet" : "—";
      td.title = failure("Queue risk", result);
      if (result.status === 503) unavailable = failure("Queue risk", result);
    }
  }).map((pending, i) => pending.catch((err) => {  // never leave a cell at "…"
    const td = document.querySelector(`td.risk[data-region="${regions[i]}"]`);
    td.textContent = "—"; td.title = `Queue risk could not be shown: ${err}`;
  })));
  if (unavailable) $("regions-status").textContent = unavailable;
}

function band(x, lo, hi, name, alpha) {
  return [
    { x, y: hi, mode: "lines", line: { width: 0 }, hoverinfo: "skip", showlegend: false },
    { x, y: lo, mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: `rgba(15,98,254,${alpha})`, name },
  ];
}
const LAYOUT = {
  margin: { l: 60, r: 10, t: 10, b: 40 }, yaxis: { title: { text: "MW" }, zeroline: true },
  legend: { orientation: "h", y: -0.2 }, hovermode: "x unified",
};

async function showRegion(region) {
  for (const row of $("regions-table").tBodies[0].rows) row.classList.toggle("selected", row.dataset.region === region);
  const draws = [drawHourly(region), drawOutlook(region)];
  if (window.drawFlexibility) draws.push(window.drawFlexibility(region, VIEWS[region]));
  await Promise.all(draws);
}

async function drawHourly(region) {
  const status = $("hourly-status");
  status.textContent = "";
  const missing = viewMissing(region, "forecast");
  if (missing) { Plotly.purge("hourly-chart"); status.textContent = `The hourly forecast needs more history: ${missing.needs}.`; return; }
  const params = new URLSearchParams({ target: "headroom", horizon: "168", quantiles: FAN.join(",") });
  const result = await safeApi(`/v1/regions/${encodeURIComponent(region)}/forecast?${params}`);
  if (!result.ok) { Plotly.purge("hourly-chart"); status.textContent = failure("The hourly forecast", result); return; }
  const f = result.body;
  const byQ = Object.fromEntries(FAN.map((q) => [q, []]));
  const x = [];
  for (const p of f.points) {
    if (p.quantile === FAN[0]) x.push(p.ts);
    byQ[p.quantile].push(p.value);
  }
  const traces = [
    ...band(x, byQ[0.1], byQ[0.9], "P10–P90", 0.15),
    ...band(x, byQ[0.25], byQ[0.75], "P25–P75", 0.3),
    { x, y: byQ[0.5], mode: "lines", line: { color: "#0f62fe", width: 2 }, name: "median" },
  ];
  await Plotly.react("hourly-chart", traces, LAYOUT, { displaylogo: false, responsive: true });
  $("region-caption").textContent =
    `${region}: model ${f.model_version}, issued ${f.issued_at}, data as of ${f.data_as_of}`;
}

async function drawOutlook(region) {
  const status = $("outlook-status");
  status.textContent = "";
  const missing = viewMissing(region, "outlook");
  if (missing) { Plotly.purge("outlook-chart"); status.textContent = `The monthly outlook needs more history: ${missing.needs}.`; return; }
  const result = await safeApi(`/v1/regions/${encodeURIComponent(region)}/outlook?months=60&scenario=base`);
  if (!result.ok) { Plotly.purge("outlook-chart"); status.textContent = failure("The monthly outlook", result); return; }
  const rows = result.body.rows;
  const x = rows.map((r) => r.month);
  const traces = [
    ...band(x, rows.map((r) => r.headroom.p10), rows.map((r) => r.headroom.p90), "P10–P90", 0.2),
    { x, y: rows.map((r) => r.headroom.p50), mode: "lines", line: { color: "#0f62fe", width: 2 }, name: "median" },
  ];
  await Plotly.react("outlook-chart", traces, LAYOUT, { displaylogo: false, responsive: true });
}

async function submitSiting(event) {
  event.preventDefault();
  const status = $("siting-status");
  const list = $("siting-results");
  status.textContent = "ranking…";
  list.innerHTML = "";
  const rack = $("siting-rack").value;
  const payload = { mw: Number($("siting-mw").value), target_date: $("siting-date").value };
  if (rack) payload.rack_kw = Number(rack);
  const result = await safeApi("/v1/siting", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload),
  });
  if (!result.ok) { status.textContent = failure("Siting", result); return; }
  status.textContent = "";
  for (const choice of result.body.ranking) {
    const li = document.createElement("li");
    li.className = `choice risk-${choice.risk}`;
    const head = document.createElement("strong");
    head.textContent = `${choice.name} (${choice.region}): ${pct(choice.p_energized_by_target)} energized by target, `
      + `${choice.risk} risk` + (choice.rack_density_exceeded ? ` · racks above the ${choice.rack_kw_max} kW maximum` : "");
    li.appendChild(head);
    const reasons = document.createElement("ul");
    reasons.className = "reasons";
    for (const reason of choice.reasons) { const r = document.createElement("li"); r.textContent = reason; reasons.appendChild(r); }
    li.appendChild(reasons);
    list.appendChild(li);
  }
  if (result.body.skipped.length) status.textContent = "Not assessed: " + result.body.skipped.join("; ");
}

window.addEventListener("DOMContentLoaded", async () => {
  $("siting-date").value = yearsFromNow(DEFAULT_YEARS);
  $("siting-form").addEventListener("submit", submitSiting);
  try {
    const regions = await loadRegions();
    if (regions.length) await showRegion(regions[0].region);
  } finally {
    document.body.dataset.ready = "true";
  }
});
