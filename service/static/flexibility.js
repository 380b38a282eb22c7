// Curtailment-enabled headroom of the selected region (issue #17): the curve and when curtailment falls.
// Uses dashboard.js's helpers ($, api, failure, band, LAYOUT); loaded after it.
"use strict";

const FLEX_LIMITS = [0.1, 0.25, 0.5, 1, 2, 5, 10];
const FLEX_CALENDAR_LIMIT = 1;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function clearFlexibility() {
  for (const id of ["flex-curve", "flex-calendar"]) Plotly.purge(id);
  $("flex-caption").textContent = "";
}

async function drawFlexibility(region, views) {
  const status = $("flex-status");
  status.textContent = "";
  const view = views && views.flexibility;
  if (view && !view.available) {
    clearFlexibility();
    status.textContent = `Curtailment-enabled headroom needs more history: ${view.needs}.`;
    return;
  }
  const params = new URLSearchParams({ limits: FLEX_LIMITS.join(","), calendar_limit: String(FLEX_CALENDAR_LIMIT) });
  let result;
  try {
    result = await api(`/v1/regions/${encodeURIComponent(region)}/flexibility?${params}`);
  } catch (err) {
    result = { ok: false, status: 0, body: { error: { message: String(err) } } };
  }
  if (!result.ok) { clearFlexibility(); status.textContent = failure("Curtailment-enabled headroom", result); return; }
  const f = result.body;
  const h = f.historical;
  const x = h.limits.map((l) => l.limit_pct);
  const traces = [];
  const next = f.outlook.rows.filter((r) => r.scenario === "base");
  const year = next.length ? Math.min(...next.map((r) => r.year)) : null;
  if (year != null) {
    const rows = next.filter((r) => r.year === year).sort((a, b) => a.limit_pct - b.limit_pct);
    const fx = rows.map((r) => r.limit_pct);
    traces.push(...band(fx, rows.map((r) => r.p10), rows.map((r) => r.p90), `${year} base P10–P90`, 0.15));
    traces.push({ x: fx, y: rows.map((r) => r.p50), mode: "lines", line: { color: "#0f62fe", dash: "dash" }, name: `${year} base median` });
  }
  traces.push({
    x, y: h.limits.map((l) => l.headroom_mw), mode: "lines+markers", line: { color: "#1d2330", width: 2 },
    name: `history ${h.years[0]}–${h.years[1]}`,
    customdata: h.limits.map((l) => [l.curtailed_hours_per_year, l.mean_event_hours]),
    hovertemplate: "%{x} %: %{y:,.0f} MW, %{customdata[0]:.0f} h/yr curtailed, events %{customdata[1]:.1f} h<extra></extra>",
  });
  const curveLayout = {
    ...LAYOUT, hovermode: "closest",
    xaxis: { title: { text: "curtailment limit (% of the new load's energy)" }, type: "log" },
  };
  await Plotly.react("flex-curve", traces, curveLayout, { displaylogo: false, responsive: true });
  const heat = [{
    type: "heatmap", z: f.calendar.curtailed_hours, x: f.calendar.hours, y: MONTHS, colorscale: "Blues",
    reversescale: true, hovertemplate: "%{y}, %{x}:00 local: %{z} h<extra></extra>", colorbar: { title: { text: "h" } },
  }];
  const heatLayout = {
    margin: { l: 50, r: 10, t: 10, b: 40 }, xaxis: { title: { text: `hour of day (${h.timezone})` }, dtick: 3 },
    yaxis: { autorange: "reversed" },
  };
  await Plotly.react("flex-calendar", heat, heatLayout, { displaylogo: false, responsive: true });
  $("flex-caption").textContent = `${region}: ${h.years[0]}–${h.years[1]} in ${h.timezone}; thresholds `
    + `${mw(h.thresholds_mw.summer)} summer, ${mw(h.thresholds_mw.winter)} winter; forward basis ${f.basis}; `
    + `calendar at ${f.calendar.limit_pct} %.`;
}
