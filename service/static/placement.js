// "Place a training job": POST /v1/placement, the ranked plans, and the best plan's window over
// the headroom fan. Uses the helpers of dashboard.js (api, postJson, failure, band, LAYOUT, FAN, $).
"use strict";

const hhmmUtc = (t) => (t ? t.replace("T", " ").slice(0, 16) + " UTC" : "—");

// A datetime-local value (read as UTC, as the page says) to ISO 8601 with Z; empty stays unset.
function utcField(id) { const v = $(id).value; return v ? v + ":00Z" : undefined; }

function planWhere(plan) {
  if (plan.region && !plan.regions) return plan.region;
  return Object.entries(plan.regions).map(([r, m]) => `${Math.round(m).toLocaleString("en-US")} MW in ${r}`).join(" + ");
}

function planHead(plan, interruptible) {
  if (interruptible) {
    return `${plan.region}: finishes by the deadline in ${pct(plan.p_finish_by_deadline)} of paths, `
      + `expected ${hhmmUtc(plan.expected_finish)}, P90 ${hhmmUtc(plan.p90_finish)}`;
  }
  return `${planWhere(plan)}, ${hhmmUtc(plan.start)} → ${hhmmUtc(plan.end)}: ${pct(plan.p_uninterrupted)} uninterrupted, `
    + `${Math.round(plan.expected_curtailed_mwh).toLocaleString("en-US")} MWh expected curtailed`;
}

// The region to chart for a plan, and the MW it draws there (a split shows its larger share).
function chartedShare(plan, jobMw) {
  if (!plan.regions) return [plan.region, jobMw];
  return Object.entries(plan.regions).sort((a, b) => b[1] - a[1])[0];
}

async function drawPlacement(plan, answer, interruptible) {
  const [region, share] = chartedShare(plan, answer.mw);
  const params = new URLSearchParams({ target: "headroom", horizon: "168", quantiles: FAN.join(",") });
  const result = await api(`/v1/regions/${encodeURIComponent(region)}/forecast?${params}`);
  if (!result.ok) { Plotly.purge("placement-chart"); $("placement-status").textContent = failure("The headroom fan", result); return; }
  const byQ = Object.fromEntries(FAN.map((q) => [q, []]));
  const x = [];
  for (const p of result.body.points) { if (p.quantile === FAN[0]) x.push(p.ts); byQ[p.quantile].push(p.value); }
  const end = interruptible ? (plan.p90_finish || plan.deadline) : plan.end;
  const traces = [
    ...band(x, byQ[0.1], byQ[0.9], "P10–P90", 0.15),
    ...band(x, byQ[0.25], byQ[0.75], "P25–P75", 0.3),
    { x, y: byQ[0.5], mode: "lines", line: { color: "#0f62fe", width: 2 }, name: "median" },
    { x: [plan.start, end], y: [share, share], mode: "lines", line: { color: "#b42318", width: 2, dash: "dash" },
      name: `job ${Math.round(share).toLocaleString("en-US")} MW` },
  ];
  const layout = {
    ...LAYOUT,
    shapes: [{ type: "rect", xref: "x", yref: "paper", x0: plan.start, x1: end, y0: 0, y1: 1,
               fillcolor: "rgba(6,118,71,0.12)", line: { width: 0 } }],
  };
  await Plotly.react("placement-chart", traces, layout, { displaylogo: false, responsive: true });
  $("placement-caption").textContent = `Best plan in ${region}: ${interruptible ? "release to P90 finish" : "run window"} `
    + `(shaded) over its hourly headroom fan; issue ${answer.issued_at}, model ${answer.model_version}, ${answer.n_samples} joint paths.`;
}

async function submitPlacement(event) {
  event.preventDefault();
  const status = $("placement-status");
  const list = $("placement-results");
  status.textContent = "placing…";
  list.innerHTML = "";
  $("placement-caption").textContent = "";
  const interruptible = $("placement-interruptible").checked;
  const payload = {
    mw: Number($("placement-mw").value), hours: Number($("placement-hours").value),
    earliest: utcField("placement-earliest"), deadline: utcField("placement-deadline"),
    split: $("placement-split").checked, interruptible, top: 5,
  };
  const result = await postJson("/v1/placement", payload);
  if (!result.ok) { Plotly.purge("placement-chart"); status.textContent = failure("Placement", result); return; }
  const answer = result.body;
  status.textContent = answer.notes.join(" ");
  for (const plan of answer.plans) {
    const li = document.createElement("li");
    li.className = "plan";
    const head = document.createElement("strong");
    head.textContent = planHead(plan, interruptible);
    const reason = document.createElement("div");
    reason.className = "reason";
    reason.textContent = plan.reason;
    li.append(head, reason);
    list.appendChild(li);
  }
  if (answer.plans.length) await drawPlacement(answer.plans[0], answer, interruptible);
}

window.addEventListener("DOMContentLoaded", () => {
  $("placement-form").addEventListener("submit", submitPlacement);
});
