// SPDX-License-Identifier: Apache-2.0
// twinlane's map page. It draws the road graph on a canvas from GET /api/v1/segments for the
// visible box (refetched, debounced, after every pan or zoom), fitted at first to the box
// GET /api/v1/graph reports. A click sets the start, a second the end, and the page asks
// GET /api/v1/route (coordinates, geometry=geojson) and draws the answer with its distance,
// duration and timings (the server's X-Twinlane-Queue-Ms and X-Twinlane-Compute-Ms headers and
// the round trip measured here); a third click starts over. `?from=lon,lat&to=lon,lat` in the
// page's URL routes on load. Once a route is drawn, <body data-route-drawn="true"> and the title
// say so (tests read them); window.twinlaneMap is the hook for scripts.
"use strict";

(function () {
  const canvas = document.getElementById("map");
  const context = canvas.getContext("2d");
  const field = (id) => document.getElementById(id);

  const state = {
    view: null,         // {lon, lat, scale}: the centre and pixels per degree of latitude
    extent: null,       // the graph's [minlon, minlat, maxlon, maxlat]
    segments: [],       // flat [lon1, lat1, lon2, lat2, ...]
    truncated: false,
    from: null,         // [lon, lat] as clicked
    to: null,
    route: null,        // the route answer
    error: null,
  };

  // Equirectangular around the view's centre, longitudes shrunk by cos(latitude) so shapes
  // look right at the latitudes of a city.
  function lonScale(view) { return view.scale * Math.max(0.01, Math.cos(view.lat * Math.PI / 180)); }
  function toScreen(lon, lat) {
    const view = state.view;
    return [canvas.clientWidth / 2 + (lon - view.lon) * lonScale(view), canvas.clientHeight / 2 - (lat - view.lat) * view.scale];
  }
  function toLonLat(x, y) {
    const view = state.view;
    return [view.lon + (x - canvas.clientWidth / 2) / lonScale(view), view.lat - (y - canvas.clientHeight / 2) / view.scale];
  }
  function clamp(value, low, high) { return Math.min(high, Math.max(low, value)); }

  function fitTo(box, margin) {
    const width = Math.max(canvas.clientWidth, 1);
    const height = Math.max(canvas.clientHeight, 1);
    const lat = (box[1] + box[3]) / 2;
    const cos = Math.max(0.01, Math.cos(lat * Math.PI / 180));
    const spanLon = Math.max((box[2] - box[0]) * cos, 1e-4);
    const spanLat = Math.max(box[3] - box[1], 1e-4);
    state.view = { lon: (box[0] + box[2]) / 2, lat: lat, scale: Math.min(width / spanLon, height / spanLat) * (1 - 2 * margin) };
  }

  // ---- drawing ----
  function resize() {
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(canvas.clientWidth * ratio);
    canvas.height = Math.round(canvas.clientHeight * ratio);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
  }

  function drawMarker(position, colour, label) {
    const [x, y] = toScreen(position[0], position[1]);
    context.beginPath();
    context.arc(x, y, 7, 0, 2 * Math.PI);
    context.fillStyle = colour;
    context.fill();
    context.lineWidth = 2;
    context.strokeStyle = "#fff";
    context.stroke();
    context.fillStyle = "#fff";
    context.font = "bold 9px sans-serif";
    context.textAlign = "center";
    context.textBaseline = "middle";
    context.fillText(label, x, y);
  }

  function draw() {
    context.fillStyle = "#f4f3ef";
    context.fillRect(0, 0, canvas.clientWidth, canvas.clientHeight);
    if (!state.view) return;
    const s = state.segments;
    context.beginPath();
    for (let i = 0; i + 3 < s.length; i += 4) {
      const [x1, y1] = toScreen(s[i], s[i + 1]);
      const [x2, y2] = toScreen(s[i + 2], s[i + 3]);
      context.moveTo(x1, y1);
      context.lineTo(x2, y2);
    }
    context.lineWidth = 1;
    context.strokeStyle = "#8a8f98";
    context.stroke();
    const line = state.route && state.route.geometry ? state.route.geometry.coordinates : [];
    if (line.length > 1) {
      context.beginPath();
      line.forEach(([lon, lat], i) => {
        const [x, y] = toScreen(lon, lat);
        if (i === 0) context.moveTo(x, y); else context.lineTo(x, y);
      });
      context.lineWidth = 5;
      context.lineJoin = "round";
      context.lineCap = "round";
      context.strokeStyle = "#1565c0";
      context.stroke();
    }
    if (state.from) drawMarker(state.from, "#2e7d32", "A");
    if (state.to) drawMarker(state.to, "#c62828", "B");
  }

  // ---- talking to the API ----
  // The JSON answer, or an Error carrying the API's own message.
  async function getJson(path) {
    const started = performance.now();
    const response = await fetch(path, { headers: { Accept: "application/json" } });
    const roundTrip = performance.now() - started;
    let body = null;
    try { body = await response.json(); } catch (ignored) { body = null; }
    if (!response.ok) {
      const message = body && body.error ? body.error.message + " (" + body.error.code + ")" : response.statusText;
      throw new Error("HTTP " + response.status + ": " + message);
    }
    return { body: body, headers: response.headers, roundTrip: roundTrip };
  }

  function showError(error) {
    state.error = error ? String(error.message || error) : null;
    field("error").textContent = state.error || "";
    field("error").hidden = !state.error;
  }

  function fixed(value) { return value.toFixed(6).replace(/\.?0+$/, ""); }
  function place(position) { return position ? fixed(position[0]) + "," + fixed(position[1]) : "-"; }

  // Segments for what is visible, plus a margin so that small pans draw at once.
  let segmentTimer = null;
  let segmentSequence = 0;
  function scheduleSegments() {
    clearTimeout(segmentTimer);
    segmentTimer = setTimeout(fetchSegments, 150);
  }
  async function fetchSegments() {
    if (!state.view) return;
    const [west, north] = toLonLat(-0.1 * canvas.clientWidth, -0.1 * canvas.clientHeight);
    const [east, south] = toLonLat(1.1 * canvas.clientWidth, 1.1 * canvas.clientHeight);
    const box = [clamp(west, -180, 180), clamp(south, -90, 90), clamp(east, -180, 180), clamp(north, -90, 90)];
    const sequence = ++segmentSequence;
    try {
      const answer = await getJson("/api/v1/segments?bbox=" + box.map(fixed).join(","));
      if (sequence !== segmentSequence) return;  // a newer view asked since
      state.segments = answer.body.segments.flat();
      state.truncated = answer.body.truncated;
      field("segments").textContent = answer.body.count + (answer.body.truncated ? " (more in this box: zoom in)" : "");
      draw();
    } catch (error) {
      if (sequence === segmentSequence) showError(error);
    }
  }

  function showRoute(answer) {
    const route = answer.body;
    const queue = answer.headers.get("X-Twinlane-Queue-Ms");
    const compute = answer.headers.get("X-Twinlane-Compute-Ms");
    let distance;
    if (!route.reachable) {
      distance = "unreachable";
    } else if (route.distance_m !== undefined) {
      distance = (route.distance_m / 1000).toFixed(2) + " km";
    } else {
      distance = route.distance + " (sum of arc weights)";
    }
    field("distance").textContent = distance;
    field("duration").textContent =
        route.duration_s !== undefined ? (route.duration_s / 60).toFixed(1) + " min" : "-";
    field("timings").textContent =
        "queue " + (queue === null ? "?" : queue + " ms") + ", compute " + (compute === null ? "?" : compute + " ms") +
        ", round trip " + answer.roundTrip.toFixed(0) + " ms (browser)";
    document.body.dataset.distance = route.reachable ? String(route.distance) : "";
    if (route.distance_m !== undefined) document.body.dataset.distanceM = String(route.distance_m);
    document.body.dataset.routeDrawn = "true";
    document.title = "twinlane map: route drawn";
  }

  function clearRoute() {
    state.from = state.to = state.route = null;
    for (const id of ["from", "to", "distance", "duration", "timings"]) field(id).textContent = "-";
    delete document.body.dataset.routeDrawn;
    delete document.body.dataset.distance;
    delete document.body.dataset.distanceM;
    document.title = "twinlane map";
    showError(null);
  }

  // Routes from `from` to `to` ([lon, lat] each) and draws the answer. With `fit`, the view
  // moves to show the whole route.
  async function setRoute(from, to, fit) {
    clearRoute();
    state.from = from;
    state.to = to;
    field("from").textContent = place(from);
    field("to").textContent = place(to);
    draw();
    try {
      const answer = await getJson("/api/v1/route?from=" + place(from) + "&to=" + place(to) + "&geometry=geojson");
      if (state.from !== from || state.to !== to) return;  // started over meanwhile
      state.route = answer.body;
      const line = answer.body.geometry ? answer.body.geometry.coordinates : [];
      if (fit && line.length > 1) {
        const lons = line.map((p) => p[0]);
        const lats = line.map((p) => p[1]);
        fitTo([Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)], 0.1);
        scheduleSegments();
      }
      showRoute(answer);
      draw();
    } catch (error) {
      showError(error);
    }
  }

  // ---- input: drag pans, wheel zooms, a click without a drag picks a point ----
  let drag = null;
  canvas.addEventListener("pointerdown", (event) => {
    drag = { x: event.clientX, y: event.clientY, lon: state.view && state.view.lon, lat: state.view && state.view.lat, moved: false };
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drag || !state.view) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    drag.moved = true;
    canvas.classList.add("dragging");
    state.view.lon = drag.lon - dx / lonScale(state.view);
    state.view.lat = clamp(drag.lat + dy / state.view.scale, -89, 89);
    draw();
    scheduleSegments();
  });
  canvas.addEventListener("pointerup", (event) => {
    const clicked = drag && !drag.moved;
    drag = null;
    canvas.classList.remove("dragging");
    if (!clicked || !state.view) return;
    const bounds = canvas.getBoundingClientRect();
    const at = toLonLat(event.clientX - bounds.left, event.clientY - bounds.top);
    if (!state.from || state.to) {
      clearRoute();
      state.from = at;
      field("from").textContent = place(at);
      draw();
    } else {
      setRoute(state.from, at, false);
    }
  });
  canvas.addEventListener("wheel", (event) => {
    event.preventDefault();
    if (!state.view) return;
    const bounds = canvas.getBoundingClientRect();
    const x = event.clientX - bounds.left;
    const y = event.clientY - bounds.top;
    const before = toLonLat(x, y);
    state.view.scale = clamp(state.view.scale * Math.exp(-event.deltaY * 0.0015), 1, 1e8);
    const after = toLonLat(x, y);  // keep the point under the cursor where it is
    state.view.lon += before[0] - after[0];
    state.view.lat += before[1] - after[1];
    draw();
    scheduleSegments();
  }, { passive: false });
  window.addEventListener("resize", () => { resize(); draw(); scheduleSegments(); });

  // `lon,lat` from the page's URL, or null.
  function parsePlace(text) {
    if (!text) return null;
    const parts = text.split(",").map(Number);
    return parts.length === 2 && parts.every(Number.isFinite) ? parts : null;
  }

  async function start() {
    resize();
    draw();
    try {
      const graph = (await getJson("/api/v1/graph")).body;
      if (!graph.bbox) throw new Error("this graph has no coordinates, so there is no map to draw");
      state.extent = graph.bbox;
      fitTo(graph.bbox, 0.02);
      draw();
      await fetchSegments();
    } catch (error) {
      showError(error);
      return;
    }
    const query = new URLSearchParams(window.location.search);
    if (query.has("from") || query.has("to")) {
      const from = parsePlace(query.get("from"));
      const to = parsePlace(query.get("to"));
      if (!from || !to) {
        showError("from and to in the page's address must each be lon,lat");
        return;
      }
      await setRoute(from, to, true);
    }
  }

  window.twinlaneMap = {
    state: state,
    setRoute: (from, to) => setRoute(from, to, true),
    clearRoute: () => { clearRoute(); draw(); },
    fitGraph: () => { if (state.extent) { fitTo(state.extent, 0.02); draw(); scheduleSegments(); } },
  };
  start();
})();
