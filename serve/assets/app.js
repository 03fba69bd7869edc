// somgraph explorer: draws the map from /api/map as SVG, plain JS, no
// libraries. Cell polygons come from the server (viz.CellShape), colours
// too (viz.Viridis, viz.CategoryColor), so the page matches somgraph plot.
"use strict";

const SVGNS = "http://www.w3.org/2000/svg";
const PX = 560; // the map's larger side in pixels
const PAD = 4;

const state = {
  map: null,
  layer: null, // layer name
  scale: 1,
  selected: new Set(), // units selected with shift-click or the lasso
  focus: null, // {units: [...], title}
  sort: "row",
  order: "asc",
  offset: 0,
  limit: 25,
  found: [],
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, parent, ns) {
  const e = ns ? document.createElementNS(SVGNS, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  if (parent) parent.appendChild(e);
  return e;
}
const svg = (tag, attrs, parent) => el(tag, attrs, parent, true);

async function getJSON(url, opts) {
  const r = await fetch(url, opts);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

function showError(err) {
  const p = $("search-result");
  p.textContent = String(err.message || err);
  p.className = "error";
}

// ---- the map ----

async function loadMap() {
  const m = await getJSON("/api/map");
  state.map = m;
  const g = m.grid;
  let s = `${g.rows}×${g.cols} ${g.topology}${g.toroidal ? " toroidal" : ""} map, ${m.inputs.length} inputs`;
  if (m.records) s += `, ${m.records} records`;
  if (m.history && m.history.length) s += `, ${m.history.length} epochs`;
  $("summary").textContent = s;
  $("live").hidden = !m.live;
  const sel = $("layer");
  sel.textContent = "";
  for (const l of m.layers) el("option", { value: l.name, text: l.title }, sel);
  if (!state.layer || !m.layers.some((l) => l.name === state.layer)) {
    state.layer = m.layers[0].name;
  }
  sel.value = state.layer;
  $("borders-label").hidden = !m.clusters;
  drawMap();
  drawCurves();
  if (state.focus) showUnits(state.focus.units, state.focus.title, true);
}

function currentLayer() {
  return state.map.layers.find((l) => l.name === state.layer);
}

function drawMap() {
  const m = state.map;
  const layer = currentLayer();
  const sc = PX / Math.max(m.width, m.height);
  state.scale = sc;
  const root = $("map");
  root.textContent = "";
  root.setAttribute("width", m.width * sc + 2 * PAD);
  root.setAttribute("height", m.height * sc + 2 * PAD);
  const cells = svg("g", { id: "cells", transform: `translate(${PAD},${PAD})` }, root);
  m.cells.forEach((c, k) => {
    const pts = c.points.map((p) => `${(p[0] * sc).toFixed(2)},${(p[1] * sc).toFixed(2)}`).join(" ");
    const cls = ["cell"];
    if (state.selected.has(k)) cls.push("selected");
    if (state.found.includes(k)) cls.push("found");
    if (state.focus && state.focus.units.length === 1 && state.focus.units[0] === k && state.selected.size === 0) cls.push("focus");
    svg("polygon", { class: cls.join(" "), points: pts, fill: layer.colors[k], "data-unit": k }, cells);
  });
  if (m.borders && $("borders").checked) drawBorders(svg("g", { transform: `translate(${PAD},${PAD})` }, root));
  drawLegend(layer);
  const q = layer.query ? "?" + layer.query + "&download=1" : "?download=1";
  for (const f of ["png", "svg"]) {
    const a = $("dl-" + f);
    a.hidden = !layer.chart;
    if (layer.chart) a.href = `/api/chart/${layer.chart}.${f}${q}`;
  }
}

// drawBorders draws the edge shared by neighbouring cells of different
// clusters: the two polygon vertices nearest to both centres.
function drawBorders(g) {
  const m = state.map, sc = state.scale;
  for (const [a, b] of m.borders) {
    const ca = m.cells[a], cb = m.cells[b];
    const dx = ca.x - cb.x, dy = ca.y - cb.y;
    if (dx * dx + dy * dy > 1.1) continue; // wrapped around a toroidal edge
    const shared = ca.points.filter((p) => cb.points.some((q) => Math.abs(p[0] - q[0]) < 1e-3 && Math.abs(p[1] - q[1]) < 1e-3));
    if (shared.length < 2) continue;
    svg("line", { class: "border", x1: shared[0][0] * sc, y1: shared[0][1] * sc, x2: shared[1][0] * sc, y2: shared[1][1] * sc }, g);
  }
}

function fmt(v) {
  if (v === null || v === undefined) return "–";
  if (Number.isInteger(v)) return String(v);
  return Number(v.toPrecision(4)).toString();
}

function drawLegend(layer) {
  const lg = $("legend");
  lg.textContent = "";
  if (layer.kind === "values") {
    const h = Math.min(320, Math.max(140, state.map.height * state.scale));
    lg.setAttribute("width", 110);
    lg.setAttribute("height", h + 30);
    const defs = svg("defs", {}, lg);
    const grad = svg("linearGradient", { id: "bar", x1: 0, y1: 1, x2: 0, y2: 0 }, defs);
    layer.bar.forEach((c, i) => svg("stop", { offset: i / (layer.bar.length - 1), "stop-color": c }, grad));
    svg("rect", { x: 4, y: 15, width: 16, height: h, fill: "url(#bar)", stroke: "#999" }, lg);
    svg("text", { x: 26, y: 22, text: fmt(layer.max) }, lg);
    svg("text", { x: 26, y: 15 + h / 2 + 4, text: fmt((layer.min + layer.max) / 2) }, lg);
    svg("text", { x: 26, y: 15 + h, text: fmt(layer.min) }, lg);
    svg("text", { x: 4, y: 10, text: layer.name === "hits" ? "hits" : layer.name.replace(/^feature:/, "") }, lg);
    return;
  }
  const n = layer.levels.length;
  lg.setAttribute("width", 180);
  lg.setAttribute("height", 18 * n + 10);
  layer.levels.forEach((name, i) => {
    svg("rect", { x: 4, y: 6 + 18 * i, width: 12, height: 12, fill: layer.level_colors[i] }, lg);
    svg("text", { x: 22, y: 16 + 18 * i, text: name }, lg);
  });
}

// ---- tooltip ----

function unitAt(evt) {
  const t = evt.target;
  if (t && t.classList && t.classList.contains("cell")) return Number(t.dataset.unit);
  return -1;
}

function tooltipHTML(k) {
  const m = state.map, c = m.cells[k];
  const box = document.createElement("div");
  el("div", { class: "head", text: `unit ${k} (row ${c.row}, col ${c.col})` }, box);
  const t = el("table", {}, box);
  const row = (a, b) => { const tr = el("tr", {}, t); el("td", { text: a }, tr); el("td", { text: b }, tr); };
  if (m.hits) row("hits", String(m.hits[k]));
  if (m.clusters) row("cluster", String(m.clusters[k]));
  const layer = currentLayer();
  if (layer.kind === "values" && !layer.name.startsWith("feature:") && layer.name !== "hits") row(layer.name, fmt(layer.values[k]));
  if (layer.kind === "categories" && !layer.name.startsWith("feature:") && layer.name !== "clusters") {
    row(layer.name, layer.categories[k] >= 0 ? layer.levels[layer.categories[k]] : "–");
  }
  m.inputs.forEach((name, j) => row(name, m.codebook[k][j]));
  return box;
}

function onMove(evt) {
  const k = unitAt(evt);
  const tip = $("tooltip");
  if (k < 0 || lasso) { tip.hidden = true; return; }
  tip.textContent = "";
  tip.appendChild(tooltipHTML(k));
  tip.hidden = false;
  const x = Math.min(evt.clientX + 14, window.innerWidth - tip.offsetWidth - 4);
  const y = Math.min(evt.clientY + 14, window.innerHeight - tip.offsetHeight - 4);
  tip.style.left = x + "px";
  tip.style.top = y + "px";
}

// ---- selection: click, shift-click, lasso ----

let lasso = null; // {points: [[x,y]...], path}

function mapPoint(evt) {
  const r = $("map").getBoundingClientRect();
  return [(evt.clientX - r.left - PAD) / state.scale, (evt.clientY - r.top - PAD) / state.scale];
}

function onDown(evt) {
  if (!evt.shiftKey || evt.button !== 0) return;
  evt.preventDefault();
  lasso = { points: [mapPoint(evt)], path: null };
}

function onDrag(evt) {
  if (!lasso) return;
  lasso.points.push(mapPoint(evt));
  const sc = state.scale;
  if (!lasso.path) lasso.path = svg("polygon", { class: "lasso", transform: `translate(${PAD},${PAD})` }, $("map"));
  lasso.path.setAttribute("points", lasso.points.map((p) => `${p[0] * sc},${p[1] * sc}`).join(" "));
}

function inside(pt, poly) {
  let c = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i], [xj, yj] = poly[j];
    if (yi > pt[1] !== yj > pt[1] && pt[0] < ((xj - xi) * (pt[1] - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

function onUp(evt) {
  const l = lasso;
  lasso = null;
  if (!l) return;
  if (l.path) l.path.remove();
  if (l.points.length < 4) { // a shift-click, not a lasso
    const k = unitAt(evt);
    if (k >= 0) toggle(k);
    return;
  }
  state.map.cells.forEach((c, k) => { if (inside([c.x, c.y], l.points)) state.selected.add(k); });
  selectionChanged();
}

function toggle(k) {
  if (state.selected.has(k)) state.selected.delete(k);
  else state.selected.add(k);
  selectionChanged();
}

function selectionChanged() {
  for (const p of document.querySelectorAll("#map .cell")) {
    p.classList.toggle("selected", state.selected.has(Number(p.dataset.unit)));
  }
  const units = [...state.selected].sort((a, b) => a - b);
  if (units.length === 0) { clearPanel(); return; }
  showUnits(units, `${units.length} selected unit${units.length === 1 ? "" : "s"}`);
}

function onClick(evt) {
  if (evt.shiftKey) return; // handled by onUp
  const k = unitAt(evt);
  if (k < 0) return;
  const c = state.map.cells[k];
  showUnits([k], `unit ${k} (row ${c.row}, col ${c.col})`);
}

function clearPanel() {
  state.focus = null;
  $("panel-body").hidden = true;
  $("panel-empty").hidden = false;
}

// ---- the panel: profile and records ----

async function showUnits(units, title, keepPage) {
  state.focus = { units, title };
  for (const p of document.querySelectorAll("#map .cell")) {
    p.classList.toggle("focus", units.length === 1 && state.selected.size === 0 && Number(p.dataset.unit) === units[0]);
  }
  if (!keepPage) state.offset = 0;
  $("panel-empty").hidden = true;
  $("panel-body").hidden = false;
  $("panel-title").textContent = title;
  const multi = units.length > 1 || state.selected.size > 0;
  $("selection-tools").hidden = !multi || !state.map.records;
  $("dl-csv").href = "/api/records.csv?units=" + units.join(",");
  if (units.length === 1) await showProfile(units[0]);
  else $("profile").textContent = "";
  await showRecords();
}

async function showProfile(k) {
  const u = await getJSON(`/api/units/${k}`);
  const box = $("profile");
  box.textContent = "";
  const info = [`hits ${u.hits}`, `U-matrix ${fmt(u.umatrix)}`];
  const cl = u.cluster;
  if (cl) info.push(`cluster ${cl.cluster} (${cl.units} units, ${cl.records} records)`);
  if (u.labels) info.push("labels " + u.labels.map((l) => `${l.label} ${l.count}`).join(", "));
  el("p", { text: info.join(" · ") }, box);
  const t = el("table", { id: "profile-table" }, box);
  const h = el("tr", {}, el("thead", {}, t));
  const cols = ["feature", "codebook", "records' mean / top", "all records", "z"];
  if (cl && cl.features) cols.push(`cluster ${cl.cluster}`);
  for (const c of cols) el("th", { text: c }, h);
  const tb = el("tbody", {}, t);
  u.profile.forEach((p, j) => {
    const tr = el("tr", {}, tb);
    el("td", { text: p.feature }, tr);
    el("td", { text: p.codebook }, tr);
    if (p.kind === "continuous") {
      el("td", { text: fmt(p.mean) }, tr);
      el("td", { text: fmt(p.mean_all) }, tr);
      const td = el("td", {}, tr);
      if (p.z !== null) {
        const w = Math.min(60, Math.abs(p.z) * 20);
        el("span", { class: "bar" + (p.z < 0 ? " neg" : ""), style: `width:${w}px` }, td);
        td.append(" " + fmt(p.z));
      }
    } else {
      el("td", { text: p.top ? `${p.top} (${Math.round(100 * p.top_share)}%)` : "–" }, tr);
      el("td", { text: "" }, tr);
      el("td", { text: "" }, tr);
    }
    if (cl && cl.features) {
      const f = cl.features[j];
      el("td", { class: "cluster-stat", text: f.top ? `${f.top} (${Math.round(100 * f.top_share)}%)` : `${fmt(f.mean)} (z ${fmt(f.z)})` }, tr);
    }
  });
}

async function showRecords() {
  const f = state.focus;
  const tbody = $("records").tBodies[0], thead = $("records").tHead;
  if (!state.map.records) {
    $("records-count").textContent = "(start somgraph serve with --data to see records)";
    thead.textContent = "";
    tbody.textContent = "";
    return;
  }
  const q = `offset=${state.offset}&limit=${state.limit}&sort=${encodeURIComponent(state.sort)}&order=${state.order}`;
  const url = f.units.length === 1 ? `/api/units/${f.units[0]}/records?${q}` : `/api/records?units=${f.units.join(",")}&${q}`;
  const r = await getJSON(url);
  $("records-count").textContent = `(${r.total})`;
  thead.textContent = "";
  const hr = el("tr", {}, thead);
  for (const c of r.columns) {
    const th = el("th", { text: c, "data-column": c }, hr);
    if (c === r.sort) th.className = "sorted-" + r.order;
    th.addEventListener("click", () => {
      if (state.sort === c) state.order = state.order === "asc" ? "desc" : "asc";
      else { state.sort = c; state.order = "asc"; }
      state.offset = 0;
      showRecords().catch(showError);
    });
  }
  tbody.textContent = "";
  for (const row of r.rows) {
    const tr = el("tr", {}, tbody);
    for (const v of row) el("td", { text: v }, tr);
  }
  const last = Math.min(r.offset + r.limit, r.total);
  $("page").textContent = r.total ? `${r.offset + 1}–${last} of ${r.total}` : "no records";
  $("prev").disabled = r.offset === 0;
  $("next").disabled = last >= r.total;
}

// ---- search: a record's BMU ----

async function find() {
  const text = $("record").value.trim();
  const out = $("search-result");
  if (!text) { out.textContent = "paste a record first"; out.className = "error"; return; }
  try {
    const r = await getJSON("/api/bmu", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ csv: text }) });
    state.found = r.bmus.map((b) => b.unit);
    const first = r.bmus[0];
    out.className = "";
    out.textContent = r.bmus.length === 1
      ? `unit ${first.unit} (row ${first.row}, col ${first.col}), distance ${fmt(first.distance)}`
      : `${r.bmus.length} records on ${new Set(state.found).size} units (highlighted)`;
    drawMap();
  } catch (err) {
    state.found = [];
    drawMap();
    showError(err);
  }
}

// ---- training curves ----

function drawCurves() {
  const box = $("curves");
  box.textContent = "";
  const h = state.map.history || [];
  if (h.length === 0) return;
  const series = (key) => h.map((e) => (e[key] === undefined ? null : e[key]));
  const charts = [
    { title: "quantization error", lines: [["train", series("train_qe"), "#1f77b4"], ["valid", series("valid_qe"), "#ff7f0e"]] },
    { title: state.map.grid.te_neighbors ? `TE (${state.map.grid.te_neighbors} neighbours)` : "topographic error", lines: [["train", series("train_te"), "#1f77b4"], ["valid", series("valid_te"), "#ff7f0e"]] },
    { title: "learning rate α", lines: [["α", series("alpha"), "#2ca02c"]] },
    { title: "radius σ", lines: [["σ", series("sigma"), "#d62728"]] },
  ];
  for (const c of charts) drawCurve(box, c, h.map((e) => e.epoch));
}

function drawCurve(box, c, xs) {
  const W = 186, H = 140, L = 46, R = 8, T = 20, B = 24;
  const s = svg("svg", { class: "curve", width: W, height: H, "data-title": c.title }, box);
  svg("text", { x: L, y: 13, text: c.title }, s);
  const ys = c.lines.flatMap((l) => l[1]).filter((v) => v !== null);
  if (ys.length === 0) return;
  let lo = Math.min(...ys), hi = Math.max(...ys);
  if (hi - lo < 1e-12) { lo -= 0.5 * Math.abs(lo || 1); hi += 0.5 * Math.abs(hi || 1); }
  const x0 = xs[0], x1 = xs[xs.length - 1];
  const px = (x) => L + (x1 === x0 ? (W - L - R) / 2 : ((x - x0) / (x1 - x0)) * (W - L - R));
  const py = (y) => T + (1 - (y - lo) / (hi - lo)) * (H - T - B);
  svg("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#999" }, s);
  svg("line", { x1: L, y1: T, x2: L, y2: H - B, stroke: "#999" }, s);
  const tick = (v) => (Math.abs(v) >= 0.01 && Math.abs(v) < 1e5) || v === 0 ? fmt(v) : v.toExponential(1);
  svg("text", { x: L - 4, y: T + 4, "text-anchor": "end", text: tick(hi) }, s);
  svg("text", { x: L - 4, y: H - B, "text-anchor": "end", text: tick(lo) }, s);
  svg("text", { x: L, y: H - 8, text: String(x0) }, s);
  svg("text", { x: W - R, y: H - 8, "text-anchor": "end", text: `epoch ${x1}` }, s);
  let lx = W - R;
  for (const [name, vals, color] of c.lines.slice().reverse()) {
    const pts = [];
    vals.forEach((v, i) => { if (v !== null) pts.push(`${px(xs[i]).toFixed(1)},${py(v).toFixed(1)}`); });
    if (pts.length === 0) continue;
    if (pts.length === 1) {
      const [x, y] = pts[0].split(",");
      svg("circle", { cx: x, cy: y, r: 2.5, fill: color }, s);
    } else svg("polyline", { points: pts.join(" "), fill: "none", stroke: color, "stroke-width": 1.6 }, s);
    if (c.lines.length > 1) {
      svg("text", { x: lx, y: 13, "text-anchor": "end", fill: color, text: name }, s);
      lx -= 42;
    }
  }
}

// ---- wiring ----

function init() {
  const m = $("map");
  m.addEventListener("mousemove", (e) => { onMove(e); onDrag(e); });
  m.addEventListener("mouseleave", () => { $("tooltip").hidden = true; });
  m.addEventListener("mousedown", onDown);
  window.addEventListener("mouseup", onUp);
  m.addEventListener("click", onClick);
  $("layer").addEventListener("change", (e) => { state.layer = e.target.value; drawMap(); });
  $("borders").addEventListener("change", drawMap);
  $("find").addEventListener("click", find);
  $("upload").addEventListener("change", async (e) => {
    const f = e.target.files[0];
    if (!f) return;
    $("record").value = await f.text();
    e.target.value = "";
    find();
  });
  $("prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - state.limit); showRecords().catch(showError); });
  $("next").addEventListener("click", () => { state.offset += state.limit; showRecords().catch(showError); });
  $("clear-selection").addEventListener("click", () => { state.selected.clear(); selectionChanged(); });
  loadMap().then(() => {
    document.body.dataset.ready = "1";
    if (state.map.live && window.EventSource) {
      const es = new EventSource("/api/events");
      es.addEventListener("update", (ev) => {
        const v = JSON.parse(ev.data).version;
        if (v !== state.map.version) loadMap().catch(showError);
      });
    }
  }).catch(showError);
}

init();
