// Provenance marker: says, for the selected region, which inputs are synthetic and which grid the figures describe.
"use strict";

(function () {
  let regions = null;

  async function loadRegions() {
    if (regions) return regions;
    try {
      const response = await fetch("/v1/regions");
      if (!response.ok) return (regions = {});
      const body = await response.json();
      regions = Object.fromEntries(body.regions.map((r) => [r.id, r]));
    } catch (_) {
      regions = {};
    }
    return regions;
  }

  function marker() {
    let node = document.getElementById("provenance-marker");
    if (!node) {
      const caption = document.getElementById("region-caption");
      if (!caption) return null;
      node = document.createElement("p");
      node.id = "provenance-marker";
      node.className = "provenance";
      node.setAttribute("role", "note");
      caption.insertAdjacentElement("afterend", node);
    }
    return node;
  }

  async function show(regionId) {
    const node = marker();
    if (!node || !regionId) return;
    const region = (await loadRegions())[regionId];
    if (!region) { node.textContent = ""; return; }
    const parts = [];
    if (region.synthetic_inputs && region.synthetic_inputs.length) {
      parts.push(`Synthetic inputs: ${region.synthetic_inputs.join(", ")} (demo data, not measured or filed)`);
      node.classList.add("synthetic");
    } else {
      parts.push("All inputs from real sources");
      node.classList.remove("synthetic");
    }
    if (region.grid) {
      const peak = region.grid_peak_mw ? ` (~${Math.round(region.grid_peak_mw).toLocaleString("en-US")} MW peak)` : "";
      parts.push(`figures describe ${region.grid}${peak}`);
    }
    node.textContent = parts.join(" · ");
    node.title = (region.provenance || [])
      .map((p) => `${p.series}: ${p.source}${p.synthetic ? " (synthetic)" : ""}, as of ${p.as_of || "—"}`)
      .join("\n");
  }

  document.addEventListener("DOMContentLoaded", () => {
    const select = document.getElementById("region-select");
    if (!select) return;
    select.addEventListener("change", () => show(select.value));
    const table = document.getElementById("regions-table");  // a row click sets the select directly
    if (table) table.addEventListener("click", () => setTimeout(() => show(select.value), 0));
    // The dashboard fills the select asynchronously; show the first region once it has one.
    const watch = new MutationObserver(() => { if (select.value) { show(select.value); watch.disconnect(); } });
    watch.observe(select, { childList: true });
    if (select.value) show(select.value);
  });
})();
