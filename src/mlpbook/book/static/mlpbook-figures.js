/*
 * mlpbook-figures.js: draws the book's plotly figures on the static site.
 *
 * The chapters output standard plotly JSON (it draws as is in JupyterLab, VS Code
 * and Colab). The book's renderer (mlpbook.book.sphinxext) puts that JSON in a
 * <script type="application/json"> next to an empty <div>; this script, loaded
 * with `defer`, turns it into a figure made for a web page:
 *
 * - Fast first paint: plotly.min.js (4.8 MB) is not in the page's <head>. It is
 *   fetched (async) when the first figure comes near the viewport, or once the
 *   page has loaded, and each figure is drawn only when it comes near the
 *   viewport (IntersectionObserver), one figure per task.
 * - Keyboard controls in HTML: plotly's SVG sliders and menus cannot be reached
 *   with Tab. They are hidden on the site and replaced by <button>, <input
 *   type="range"> and <select> elements below the figure, built from the
 *   figure's own `sliders`, `updatemenus` and `frames`, which drive plotly.
 * - Title in HTML: the title and subtitle are shown above the plot (written by
 *   the renderer), and follow the animation frame or the chosen menu entry.
 * - Dark mode: the colours follow the theme's `data-theme` attribute on <html>
 *   (light colours stay as the figure set them; in dark mode greys are inverted
 *   and dark colours lightened), and change when the reader switches theme.
 * - Small screens (< 600 px): two side-by-side panels are stacked, the legend
 *   sits above the plot, and the toolbar is hidden.
 */
(function () {
  "use strict";

  var NARROW = 600; // px: below this width the figure uses its phone layout
  var PLOTLY_SRC = (function () {
    // plotly.min.js sits next to this script in _static/ (works under a
    // sub-path and from file://).
    var src = document.currentScript ? document.currentScript.src : "";
    return src.replace(/[^/]*$/, "plotly.min.js");
  })();

  /* ------------------------------------------------------------------ */
  /* Loading plotly.js once, on demand.                                  */
  /* ------------------------------------------------------------------ */

  var plotlyPromise = null;

  function loadPlotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!plotlyPromise) {
      plotlyPromise = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = PLOTLY_SRC;
        script.async = true;
        script.onload = function () {
          // The warm-ups never hold the figures back: whatever they do, the
          // figures draw after at most PREPARE_MS.
          var prepared = Promise.resolve().then(warmUp).then(rehearse);
          var limit = new Promise(function (done) { setTimeout(done, PREPARE_MS); });
          Promise.race([prepared, limit])
            .catch(function () { /* only a warm-up */ })
            .then(function () { resolve(window.Plotly); });
        };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return plotlyPromise;
  }

  /** Draw a tiny plot off screen once plotly.js has run: the first plot of a page
   *  pays for compiling plotly's drawing code, so a reader's figure does not. */
  function warmUp() {
    var div = document.createElement("div");
    div.style.cssText = "position:absolute;left:-9999px;top:0;width:320px;height:240px";
    document.body.appendChild(div);
    var data = [
      { type: "scatter", x: [1, 2, 3], y: [1, 10, 100], mode: "lines+markers", name: "a" },
      { type: "scatter", x: [1, 2], y: [2, 3], mode: "text", text: ["<b>a</b><br>b", "c"] },
    ];
    // One small trace of every other type the page's figures use.
    var samples = {
      heatmap: { type: "heatmap", z: [[1, 2], [3, 4]], colorbar: { title: { text: "z" } } },
      bar: { type: "bar", x: [1, 2], y: [1, 2], xaxis: "x2", yaxis: "y2" },
    };
    var types = {};
    figures.forEach(function (f) {
      (f.spec.data || []).forEach(function (t) { types[t.type || "scatter"] = true; });
    });
    Object.keys(samples).forEach(function (type) { if (types[type]) data.push(samples[type]); });
    var layout = {
      xaxis: { title: { text: "x" }, domain: [0, 0.45] },
      yaxis: { type: "log", exponentformat: "power", title: { text: "y" } },
      xaxis2: { domain: [0.55, 1], anchor: "y2" },
      yaxis2: { anchor: "x2" },
      annotations: [{ text: "h<sub>l</sub>", x: 0.5, y: 1, xref: "paper", yref: "paper", showarrow: false }],
      shapes: [{ type: "line", x0: 0, x1: 1, xref: "paper", y0: 1, y1: 1 }],
    };
    return Plotly.newPlot(div, data, layout, { staticPlot: true })
      .catch(function () { /* only a warm-up */ })
      .then(function () {
        Plotly.purge(div);
        div.remove();
      });
  }

  /** Draw the page's largest figure once off screen, right after the warm-up.
   *  A tiny plot leaves part of plotly's first-draw cost (code compiled on first
   *  use, text measurements plotly caches) to the first real figure: measured on
   *  the width/depth explorer, 10 drawn traces cost ~300 ms the first time and
   *  ~130 ms after that. Paid here, while the page loads, it is not paid while the
   *  reader scrolls. Only a figure whose drawn traces weigh at least
   *  REHEARSE_WEIGHT (a line or bar trace weighs 1, a heat map or contour 3). */
  var REHEARSE_WEIGHT = 6;
  var TRACE_WEIGHT = { heatmap: 3, contour: 3 };
  var PREPARE_MS = 3000;

  function rehearse() {
    var heaviest = null, most = 0;
    figures.forEach(function (f) {
      var data = f.spec.data || [], n = 0;
      logicalState(data).forEach(function (s, i) {
        if (drawnVisibility(s) === true) n += TRACE_WEIGHT[data[i].type] || 1;
      });
      if (n > most) { most = n; heaviest = f; }
    });
    if (!heaviest || most < REHEARSE_WEIGHT) return Promise.resolve();
    var spec = heaviest.spec;
    var data = stripHidden(asDrawn(spec.data, logicalState(spec.data))).data;
    var types = spec.data.map(function (t) { return t.type || "scatter"; });
    var layout = siteLayout(spec.layout || {}, { dark: false, narrow: false }, types);
    var div = document.createElement("div");
    div.style.cssText = "position:absolute;left:-9999px;top:0;height:" + (layout.height || 450) +
      "px;width:" + (heaviest.gd.clientWidth || 800) + "px";
    document.body.appendChild(div);
    return new Promise(function (resolve) { setTimeout(resolve, 0); })
      .then(function () { return Plotly.newPlot(div, clone(data), layout, spec.config || {}); })
      .catch(function () { /* only a rehearsal */ })
      .then(function () {
        try { Plotly.purge(div); } catch (e) { /* only a rehearsal */ }
        div.remove();
      });
  }

  /* ------------------------------------------------------------------ */
  /* Small helpers.                                                      */
  /* ------------------------------------------------------------------ */

  function clone(value) {
    return JSON.parse(JSON.stringify(value));
  }

  function isDark() {
    return document.documentElement.getAttribute("data-theme") === "dark";
  }

  /** A plotly title (string or {text}) as plain lines, like sphinxext._title_lines. */
  function titleLines(title) {
    var text = title && typeof title === "object" ? title.text : title;
    if (!text) return [];
    return String(text)
      .split(/<br\s*\/?>/i)
      .map(function (line) {
        // Parse as an inert document: tags are dropped, entities decoded.
        var doc = new DOMParser().parseFromString(line, "text/html");
        return (doc.body.textContent || "").trim();
      })
      .filter(function (line) { return line.length > 0; });
  }

  /** The title text a layout patch (from a frame, a menu entry or a step) sets, if any. */
  function patchTitle(patch) {
    if (!patch) return null;
    if (patch["title.text"] !== undefined) return patch["title.text"];
    if (patch.title !== undefined) return patch.title;
    return null;
  }

  /* ------------------------------------------------------------------ */
  /* Colours for dark mode.                                              */
  /* ------------------------------------------------------------------ */

  function parseColor(value) {
    if (typeof value !== "string") return null;
    var s = value.trim().toLowerCase();
    if (s === "white") return [255, 255, 255, 1];
    if (s === "black") return [0, 0, 0, 1];
    var m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(s);
    if (m) {
      var h = m[1].length === 3 ? m[1].replace(/(.)/g, "$1$1") : m[1];
      return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16), 1];
    }
    m = /^rgba?\(([^)]*)\)$/.exec(s);
    if (m) {
      var p = m[1].split(",").map(function (x) { return parseFloat(x); });
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    }
    return null;
  }

  function rgbToHsl(r, g, b) {
    r /= 255; g /= 255; b /= 255;
    var max = Math.max(r, g, b), min = Math.min(r, g, b), l = (max + min) / 2, h = 0, s = 0;
    if (max !== min) {
      var d = max - min;
      s = l > 0.5 ? d / (2 - max - min) : d / (max + min);
      if (max === r) h = (g - b) / d + (g < b ? 6 : 0);
      else if (max === g) h = (b - r) / d + 2;
      else h = (r - g) / d + 4;
      h /= 6;
    }
    return [h, s, l];
  }

  function hslToRgb(h, s, l) {
    function hue(p, q, t) {
      if (t < 0) t += 1;
      if (t > 1) t -= 1;
      if (t < 1 / 6) return p + (q - p) * 6 * t;
      if (t < 1 / 2) return q;
      if (t < 2 / 3) return p + (q - p) * (2 / 3 - t) * 6;
      return p;
    }
    if (s === 0) return [l * 255, l * 255, l * 255];
    var q = l < 0.5 ? l * (1 + s) : l + s - l * s, p = 2 * l - q;
    return [hue(p, q, h + 1 / 3) * 255, hue(p, q, h) * 255, hue(p, q, h - 1 / 3) * 255];
  }

  /** The dark-mode version of one colour: greys (and very dark or very pale
   *  colours, such as grid lines) have their lightness inverted (white paper becomes the page's dark grey, dark
   *  text becomes light); colours keep their hue and are lifted when too dark
   *  to read on a dark background. */
  function darkColor(value) {
    var c = parseColor(value);
    if (!c) return value;
    var hsl = rgbToHsl(c[0], c[1], c[2]), l = hsl[2];
    if (hsl[1] < 0.25 || l < 0.3 || l > 0.85) l = 0.07 + (1 - l) * 0.86;
    else if (l < 0.6) l = 0.6 + (l - 0.3) * 0.3;
    var rgb = hslToRgb(hsl[0], hsl[1], l).map(Math.round);
    return "rgba(" + rgb[0] + "," + rgb[1] + "," + rgb[2] + "," + c[3] + ")";
  }

  /** Every colour in a plotly object mapped by `fn` (colour scales are left alone). */
  function mapColors(value, fn, key) {
    if (Array.isArray(value)) {
      if (key === "colorscale") return value;
      return value.map(function (v) { return mapColors(v, fn, key); });
    }
    if (value && typeof value === "object") {
      var out = {};
      Object.keys(value).forEach(function (k) {
        out[k] = k === "colorscale" ? value[k] : mapColors(value[k], fn, k);
      });
      return out;
    }
    if (typeof value === "string" && key && /colou?r|colorway/i.test(key)) return fn(value);
    return value;
  }

  /* ------------------------------------------------------------------ */
  /* The site's layout of a figure.                                      */
  /* ------------------------------------------------------------------ */

  /** The x domains of a figure's columns of panels, left to right, or null when
   *  the figure has a single column (or axes that overlap). */
  function panelColumns(layout) {
    var cols = [];
    Object.keys(layout).forEach(function (k) {
      var d = /^xaxis\d*$/.test(k) && layout[k] && layout[k].domain;
      if (!d) return;
      var known = cols.some(function (c) { return Math.abs(c[0] - d[0]) < 1e-6 && Math.abs(c[1] - d[1]) < 1e-6; });
      if (!known) cols.push(d.slice());
    });
    cols.sort(function (a, b) { return a[0] - b[0]; });
    if (cols.length < 2) return null;
    for (var i = 0; i + 1 < cols.length; i++) if (cols[i][1] > cols[i + 1][0] + 1e-6) return null;
    return cols;
  }

  /** Stack the columns of panels: column c becomes the c-th band from the top,
   *  each axis spanning the full width; rows within a column keep their
   *  proportions, and panel titles move with their panel. */
  function stackColumns(layout, cols) {
    var n = cols.length;
    var height = Math.round((layout.height || 450) * (0.25 + 0.6 * n));
    // Between two bands: the upper panel's tick labels and axis title, then the
    // lower panel's title (about 120 px).
    var gap = Math.min(0.3, 120 / height);
    function columnOf(domain) {
      for (var c = 0; c < n; c++) if (Math.abs(cols[c][0] - domain[0]) < 1e-6) return c;
      return 0;
    }
    function band(c) {
      var hi = 1 - c / n, lo = 1 - (c + 1) / n;
      return [c === n - 1 ? lo : lo + gap / 2, c === 0 ? hi : hi - gap / 2];
    }
    function squeeze(y, b) { return b[0] + y * (b[1] - b[0]); }
    var axisColumn = {}; // "x2" -> column
    // An x axis without an anchor sits on the first y axis: side by side that is the
    // same height, stacked it would draw its tick labels on the top band's. It
    // belongs to the y axis that is anchored to it.
    Object.keys(layout).forEach(function (k) {
      if (!/^xaxis\d*$/.test(k) || (layout[k] || {}).anchor) return;
      var x = k.replace("axis", "");
      Object.keys(layout).forEach(function (y) {
        if (/^yaxis\d*$/.test(y) && layout[y] && layout[y].anchor === x) {
          layout[k] = Object.assign({}, layout[k], { anchor: y.replace("axis", "") });
        }
      });
    });
    Object.keys(layout).forEach(function (k) {
      if (!/^xaxis\d*$/.test(k) || !layout[k].domain) return;
      axisColumn[k.replace("axis", "")] = columnOf(layout[k].domain);
      layout[k] = Object.assign({}, layout[k], { domain: [0, 1] });
    });
    // A shared x-axis title sits under the middle column; stacked, that puts it in a
    // middle band, on top of the next panel's tick labels. It moves to the bottom
    // band's lowest axis.
    var moved = null, lowest = null;
    Object.keys(axisColumn).forEach(function (x) {
      var k = x.replace("x", "xaxis"), c = axisColumn[x];
      if (c === n - 1) {
        var y = layout[(layout[k].anchor || "y").replace("y", "yaxis")] || {};
        var d = (y.domain || [0, 1])[0];
        if (!lowest || d < lowest.d) lowest = { k: k, d: d };
      } else if (layout[k].title && (layout[k].title.text || typeof layout[k].title === "string")) {
        moved = moved || layout[k].title;
        layout[k] = Object.assign({}, layout[k], { title: { text: "" } });
      }
    });
    Object.keys(layout).forEach(function (k) {
      if (!/^yaxis\d*$/.test(k)) return;
      var axis = layout[k], b = band(axisColumn[axis.anchor || "x"] || 0);
      var d = axis.domain || [0, 1];
      // Each stacked panel shows its own tick labels (shared axes hide all but the first).
      layout[k] = Object.assign({}, axis, { domain: [squeeze(d[0], b), squeeze(d[1], b)], showticklabels: true });
    });
    (layout.annotations || []).forEach(function (a) {
      if (a.xref !== "paper" || a.yref !== "paper") return;
      for (var c = 0; c < n; c++) {
        if (Math.abs((a.x || 0) - (cols[c][0] + cols[c][1]) / 2) < 1e-3) {
          a.x = 0.5;
          a.y = squeeze(Math.min(a.y, 1), band(c));
          break;
        }
      }
    });
    if (moved && lowest) {
      var t = layout[lowest.k].title;
      if (!t || !(t.text || typeof t === "string")) {
        // As an annotation under the bottom axis: moved to another axis, plotly 3
        // drew the title on that axis's tick labels.
        layout.annotations = (layout.annotations || []).concat([{
          text: typeof moved === "string" ? moved : moved.text,
          xref: "paper", yref: "paper", x: 0.5, y: 0, yanchor: "top", yshift: -22,
          showarrow: false, font: Object.assign({ size: 13 }, moved.font || {}),
        }]);
        layout.margin = Object.assign({}, layout.margin, { b: Math.max((layout.margin || {}).b || 0, 60) });
      }
    }
    layout.height = height;
  }

  /** Colour bars lie flat above the plot on a phone (a standing one takes a third of the width). */
  function flatColorbars(data) {
    return data.map(function (trace) {
      if (!trace.colorbar && !trace.showscale) return trace;
      var t = Object.assign({}, trace);
      t.colorbar = Object.assign({}, trace.colorbar, {
        orientation: "h", x: 0.5, xanchor: "center", y: 1.02, yanchor: "bottom",
        len: 1, thickness: 10, title: Object.assign({}, (trace.colorbar || {}).title, { side: "top" }),
      });
      if (t.colorbar.title.text) t.colorbar.title.text = t.colorbar.title.text.replace(/<br\s*\/?>/gi, " ");
      return t;
    });
  }

  /** The layout drawn on the site, from the figure's own layout. */
  function siteLayout(original, opts, traceTypes) {
    var layout = clone(original);
    // plotly's templates carry defaults for some forty trace types; keep those
    // of the types this figure draws (the same look, a faster first draw).
    if (layout.template && layout.template.data) {
      Object.keys(layout.template.data).forEach(function (type) {
        if (traceTypes.indexOf(type) < 0) delete layout.template.data[type];
      });
    }
    // Title and controls are HTML on the site.
    layout.title = { text: "" };
    layout.updatemenus = [];
    layout.sliders = [];
    // Labels of plotly menus ("initializer:") are written next to the HTML menus.
    layout.annotations = (layout.annotations || []).filter(function (a) {
      return !(typeof a.text === "string" && /:\s*$/.test(a.text) && a.yref === "paper" && a.y > 1);
    });
    var margin = Object.assign({ t: 100, b: 80, l: 80, r: 80 }, layout.margin || {});
    var topThings = (layout.annotations || []).some(function (a) { return a.yref === "paper" && a.y >= 1; });
    var topLegend = layout.legend && layout.legend.y >= 1;
    var bottomLegend = layout.legend && layout.legend.y < 0;
    margin.t = topThings || topLegend ? 40 : 16;
    if (!bottomLegend) margin.b = Math.min(margin.b, 60);
    if (opts.narrow) {
      var cols = panelColumns(layout);
      if (cols) stackColumns(layout, cols);
      margin.l = Math.min(margin.l, 52);
      margin.r = Math.min(margin.r, 12);
      layout.font = Object.assign({}, layout.font, { size: 11 });
      // A legend above the plot starts at the left and wraps if it must (one
      // below the plot, clear of the panel titles, stays there).
      if (layout.showlegend !== false && !bottomLegend) {
        layout.legend = Object.assign({}, layout.legend, {
          orientation: "h", x: 0, xanchor: "left", y: 1, yanchor: "bottom",
        });
        margin.t = Math.max(margin.t, 40);
      }
      // Fewer ticks, so that labels never touch.
      Object.keys(layout).forEach(function (k) {
        if (/^[xy]axis\d*$/.test(k) && layout[k].dtick === undefined) {
          layout[k] = Object.assign({ nticks: 6 }, layout[k]);
        }
      });
    }
    layout.margin = margin;
    layout.autosize = true;
    delete layout.width;
    if (opts.dark) {
      layout = mapColors(layout, darkColor);
      var bg = getComputedStyle(document.documentElement).getPropertyValue("--pst-color-background").trim() || "#121212";
      var text = getComputedStyle(document.documentElement).getPropertyValue("--pst-color-text-base").trim() || "#ced6dd";
      layout.paper_bgcolor = bg;
      layout.plot_bgcolor = bg;
      layout.font = Object.assign({}, layout.font, { color: text });
      layout.modebar = { bgcolor: "rgba(0,0,0,0)", color: "#9aa0a6", activecolor: "#e8eaed" };
    }
    return layout;
  }

  /* ------------------------------------------------------------------ */
  /* One figure: its state, its HTML controls and its drawing.           */
  /* ------------------------------------------------------------------ */

  var uid = 0;

  function Figure(gd, spec) {
    this.gd = gd;
    this.spec = spec; // the chapter's plotly JSON, never modified
    this.figure = gd.closest("figure");
    this.heading = this.figure.querySelector(".mlpbook-plotly-heading");
    this.frames = {};
    var self = this;
    (spec.frames || []).forEach(function (f) { self.frames[f.name] = f; });
    // plotly can animate scatter traces only; a frame that changes another type, or
    // any frame of a figure that also draws another type (plotly erases it), needs a
    // whole-figure redraw, 45-110 ms a frame. The book's animations avoid both
    // (mlpbook.plots.outlines); this keeps any other figure correct, if slower.
    function notScatter(t) { return t.type && t.type !== "scatter"; }
    this.redrawFrames = (spec.frames || []).length > 0 && ((spec.data || []).some(notScatter) ||
      spec.frames.some(function (f) { return (f.data || []).some(notScatter); }));
    this.controls = []; // {kind, element, apply(index)} of every HTML control
    this.state = {}; // control index -> chosen step (re-applied after a redraw)
    this.frameIndex = 0; // the animation frame shown
    this.playing = false;
    this.drawn = false;
    this.mode = null; // "dark,narrow" flags the figure was last drawn with
    this.buildControls();
  }

  Figure.prototype.setTitle = function (title) {
    if (!this.heading || title === null || title === undefined) return;
    var lines = titleLines(title);
    var t = this.heading.querySelector(".mlpbook-plotly-title");
    var s = this.heading.querySelector(".mlpbook-plotly-subtitle");
    if (t && lines.length) t.textContent = lines[0];
    if (s) s.textContent = lines.slice(1).join(" ");
  };

  /** Build the HTML controls from the figure's sliders and menus. */
  Figure.prototype.buildControls = function () {
    var layout = this.spec.layout || {};
    var box = document.createElement("div");
    box.className = "mlpbook-plotly-controls";
    var self = this;
    (layout.updatemenus || []).forEach(function (menu, i) { self.addMenu(box, menu, i); });
    (layout.sliders || []).forEach(function (slider, i) { self.addSlider(box, slider, i); });
    if (box.childNodes.length) this.gd.insertAdjacentElement("afterend", box);
  };

  Figure.prototype.controlLabel = function (menu, fallback) {
    if (menu.name) return menu.name;
    // A paper annotation ending with ":" at the menu's height is its label.
    var found = (this.spec.layout.annotations || []).filter(function (a) {
      return typeof a.text === "string" && /:\s*$/.test(a.text) && Math.abs((a.y || 0) - (menu.y || 0)) < 0.05;
    })[0];
    return found ? found.text.replace(/:\s*$/, "") : fallback;
  };

  Figure.prototype.addMenu = function (box, menu, i) {
    var self = this, buttons = menu.buttons || [];
    if (menu.type === "buttons") {
      var play = buttons.filter(function (b) { return b.method === "animate" && b.args && b.args[0] === null; })[0];
      if (play) {
        var btn = document.createElement("button");
        btn.type = "button";
        btn.className = "mlpbook-plotly-play";
        btn.setAttribute("aria-label", "Play the animation");
        btn.textContent = "▶ Play";
        var opts = (play.args && play.args[1]) || {};
        this.frameMs = (opts.frame && opts.frame.duration) || 60;
        btn.addEventListener("click", function () { self.playing ? self.pause() : self.play(); });
        this.playButton = btn;
        box.appendChild(btn);
      }
      buttons.forEach(function (b) {
        if (b.method === "animate") return; // Play and Pause are the one button above
        var other = document.createElement("button");
        other.type = "button";
        other.textContent = titleLines(b.label).join(" ");
        other.addEventListener("click", function () { self.applyStep(b); });
        box.appendChild(other);
      });
      return;
    }
    var id = "mlpbook-control-" + ++uid;
    var wrap = document.createElement("span");
    wrap.className = "mlpbook-plotly-control";
    var label = document.createElement("label");
    label.setAttribute("for", id);
    label.textContent = this.controlLabel(menu, "Show") + ": ";
    var select = document.createElement("select");
    select.id = id;
    buttons.forEach(function (b, k) {
      var option = document.createElement("option");
      option.value = String(k);
      option.textContent = titleLines(b.label).join(" ");
      select.appendChild(option);
    });
    var key = "menu" + i;
    select.value = String(menu.active || 0);
    select.addEventListener("change", function () {
      self.state[key] = +select.value;
      self.applyStep(buttons[+select.value]);
    });
    wrap.appendChild(label);
    wrap.appendChild(select);
    box.appendChild(wrap);
  };

  Figure.prototype.addSlider = function (box, slider, i) {
    var self = this, steps = slider.steps || [];
    var id = "mlpbook-control-" + ++uid;
    var prefix = ((slider.currentvalue || {}).prefix || "").trim().replace(/:\s*$/, "");
    var wrap = document.createElement("span");
    wrap.className = "mlpbook-plotly-control mlpbook-plotly-slider";
    var label = document.createElement("label");
    label.setAttribute("for", id);
    var name = document.createElement("span");
    name.textContent = (prefix || "step") + ": ";
    var value = document.createElement("output");
    value.setAttribute("for", id);
    label.appendChild(name);
    label.appendChild(value);
    var input = document.createElement("input");
    input.type = "range";
    input.id = id;
    input.min = "0";
    input.max = String(steps.length - 1);
    input.step = "1";
    var animated = steps.length && steps[0].method === "animate";
    function show(k) {
      var text = titleLines(steps[k].label).join(" ");
      input.value = String(k);
      value.textContent = text;
      input.setAttribute("aria-valuetext", (prefix ? prefix + " " : "") + text);
    }
    show(slider.active || 0);
    input.addEventListener("input", function () {
      var k = +input.value;
      show(k);
      if (animated) {
        self.pause();
        self.showFrame(k);
      } else {
        self.state["slider" + i] = k;
        self.applyStep(steps[k]);
      }
    });
    if (animated) {
      this.frameNames = steps.map(function (s) { return s.args[0][0]; });
      this.frameSlider = { show: show };
      this.frameIndex = slider.active || 0;
    }
    wrap.appendChild(label);
    wrap.appendChild(input);
    box.appendChild(wrap);
  };

  /** Apply one slider step or menu entry: restyle, relayout or update, as plotly would. */
  Figure.prototype.applyStep = function (step) {
    var args = step.args || [];
    var layoutPatch = step.method === "relayout" ? args[0] : step.method === "update" ? args[1] : null;
    this.setTitle(patchTitle(layoutPatch));
    if (!this.drawn) return Promise.resolve();
    var gd = this.gd, opts = this.options();
    if (layoutPatch) {
      layoutPatch = clone(layoutPatch);
      delete layoutPatch["title.text"];
      delete layoutPatch.title;
      if (opts.dark) layoutPatch = mapColors(layoutPatch, darkColor);
    }
    var style = args[0], indices = step.method === "restyle" ? args[1] : args[2];
    if (step.method === "restyle" || step.method === "update") {
      style = this.resolveVisibility(style, indices);
      this.restoreTraces(style, indices);
    }
    if (step.method === "restyle") return Plotly.restyle(gd, style, indices);
    if (step.method === "relayout") return Plotly.relayout(gd, layoutPatch);
    if (step.method === "update") return Plotly.update(gd, style, layoutPatch, indices);
    return Promise.resolve();
  };

  /* A trace at opacity 0 is not drawn at all. The width/depth explorer's width
     slider sets `visible` and its depth slider `opacity` (two sliders can only
     combine through two attributes; that is what keeps the figure standard in a
     notebook): drawn as is, every depth of the chosen width is drawn, 25 traces,
     in one long task. The site keeps each trace's `visible` and `opacity` as the
     figure asks for them and tells plotly to draw a trace only when it is visible
     with an opacity above 0. */
  function logicalState(data) {
    return data.map(function (t) {
      return {
        visible: t.visible === undefined ? true : t.visible,
        opacity: t.opacity === undefined ? 1 : t.opacity,
      };
    });
  }

  function drawnVisibility(s) {
    return s.visible === true && s.opacity === 0 ? false : s.visible;
  }

  /** The traces with `visible` as plotly should draw them (copies where it differs). */
  function asDrawn(data, logical) {
    return data.map(function (t, i) {
      var v = drawnVisibility(logical[i]);
      return v === logical[i].visible ? t : Object.assign({}, t, { visible: v });
    });
  }

  function nth(value, j) {
    return Array.isArray(value) ? value[j % value.length] : value;
  }

  /** The style a step asks for, with `visible` as drawn (see `logicalState`). */
  Figure.prototype.resolveVisibility = function (style, indices) {
    if (!style || (style.visible === undefined && style.opacity === undefined)) return style;
    var logical = this.logical;
    var targets = indices === undefined || indices === null
      ? logical.map(function (_, i) { return i; })
      : [].concat(indices);
    var out = Object.assign({}, style);
    out.visible = targets.map(function (i, j) {
      if (style.visible !== undefined) logical[i].visible = nth(style.visible, j);
      if (style.opacity !== undefined) logical[i].opacity = nth(style.opacity, j);
      return drawnVisibility(logical[i]);
    });
    return out;
  };

  /* Hidden traces are drawn without their data: a figure with a menu over many
     options (89 traces in the width/depth explorer) then costs one option's drawing,
     not all of them, in one main-thread task. A trace gets its data back just before
     a menu entry or slider step makes it visible (plotly recomputes a trace whose
     visibility changes, from gd.data). */
  var HEAVY = ["x", "y", "z", "text", "customdata", "hovertext"];

  function stripHidden(data) {
    var stripped = {};
    var out = data.map(function (t, i) {
      if (t.visible !== false) return t;
      var copy = Object.assign({}, t);
      HEAVY.forEach(function (key) { delete copy[key]; });
      stripped[i] = true;
      return copy;
    });
    return { data: out, stripped: stripped };
  }

  /** Give back their data to the traces that `style.visible` is about to show. */
  Figure.prototype.restoreTraces = function (style, indices) {
    if (!style || style.visible === undefined || !this.stripped) return;
    var gd = this.gd, full = this.fullData, stripped = this.stripped;
    var targets = indices === undefined || indices === null
      ? gd.data.map(function (_, i) { return i; })
      : [].concat(indices);
    targets.forEach(function (i, j) {
      var v = Array.isArray(style.visible) ? style.visible[j] : style.visible;
      if (v === false || !stripped[i]) return;
      HEAVY.forEach(function (key) {
        if (full[i][key] !== undefined) gd.data[i][key] = clone(full[i][key]);
      });
      delete stripped[i];
    });
  };

  /** Show animation frame number k (its data, its layout, its title, the slider). */
  Figure.prototype.showFrame = function (k) {
    this.frameIndex = k;
    var name = this.frameNames[k], frame = this.frames[name];
    if (frame && frame.layout) this.setTitle(patchTitle(frame.layout));
    if (this.frameSlider) this.frameSlider.show(k);
    if (!this.drawn || !frame) return Promise.resolve();
    var gd = this.gd, moved = Promise.resolve();
    if (frame.data) {
      moved = Plotly.animate(gd, [name], {
        mode: "immediate",
        frame: { duration: 0, redraw: this.redrawFrames },
        transition: { duration: 0 },
      });
    }
    var patch = framePatch(frame.layout, isDark());
    if (patch) moved = moved.then(function () { return Plotly.relayout(gd, patch); });
    return moved.catch(function () { /* interrupted by the next frame: nothing to do */ });
  };

  /* The layout a frame changes besides its title (shown in HTML), as one relayout:
     {shapes: [{}, {}, {opacity: 1}]} -> {"shapes[2].opacity": 1}. The class-region
     animation changes only shape opacities, which plotly redraws without
     recalculating the figure (~1 ms a shape; a new shape path costs ~50 ms). */
  function framePatch(layout, dark) {
    var patch = {}, any = false;
    Object.keys(layout || {}).forEach(function (key) {
      if (key === "title") return;
      var value = layout[key];
      if (Array.isArray(value)) {
        value.forEach(function (item, j) {
          Object.keys(item || {}).forEach(function (k) {
            patch[key + "[" + j + "]." + k] = item[k];
            any = true;
          });
        });
      } else {
        patch[key] = value;
        any = true;
      }
    });
    if (!any) return null;
    return dark ? mapColors(patch, darkColor) : patch;
  }

  Figure.prototype.play = function () {
    var self = this;
    if (!this.frameNames) return;
    if (this.frameIndex >= this.frameNames.length - 1) this.frameIndex = -1;
    this.playing = true;
    this.playButton.textContent = "❚❚ Pause";
    this.playButton.setAttribute("aria-label", "Pause the animation");
    this.playButton.setAttribute("aria-pressed", "true");
    (function tick() {
      if (!self.playing) return;
      var start = performance.now();
      self.showFrame(self.frameIndex + 1).then(function () {
        if (self.frameIndex >= self.frameNames.length - 1) return self.pause();
        var wait = Math.max(0, self.frameMs - (performance.now() - start));
        self.timer = setTimeout(tick, wait);
      });
    })();
  };

  Figure.prototype.pause = function () {
    this.playing = false;
    clearTimeout(this.timer);
    if (this.playButton) {
      this.playButton.textContent = "▶ Play";
      this.playButton.setAttribute("aria-label", "Play the animation");
      this.playButton.setAttribute("aria-pressed", "false");
    }
  };

  Figure.prototype.options = function () {
    return { dark: isDark(), narrow: this.figure.clientWidth < NARROW };
  };

  /** Draw (or redraw, after a theme or width change) from the chapter's JSON. */
  Figure.prototype.draw = function () {
    var opts = this.options(), mode = opts.dark + "," + opts.narrow;
    if (this.drawn && mode === this.mode) return Promise.resolve();
    this.mode = mode;
    var spec = this.spec, self = this;
    var data = opts.dark ? mapColors(spec.data, darkColor) : spec.data;
    if (opts.narrow) data = flatColorbars(data);
    var types = (spec.data || []).map(function (t) { return t.type || "scatter"; });
    var layout = siteLayout(spec.layout || {}, opts, types);
    var config = Object.assign({}, spec.config, opts.narrow ? { displayModeBar: false } : {});
    this.gd.style.height = (layout.height || 450) + "px";
    var first = !this.drawn, started = performance.now();
    this.logical = logicalState(spec.data || []);
    data = asDrawn(data, this.logical);
    var light = stripHidden(data);
    this.fullData = data;
    this.stripped = light.stripped;
    return Plotly.react(this.gd, clone(light.data), layout, config).then(function () {
      self.drawn = true;
      if (!self.drawnAt) {
        // read by benchmarks/site_speed.py
        self.drawnAt = performance.now();
        self.drawMs = self.drawnAt - started;
      }
      self.gd.classList.add("mlpbook-plotly-drawn");
      // Frames in a later task: a long animation is two short tasks, not one long one.
      if (first && spec.frames && spec.frames.length) {
        return new Promise(function (resolve) { setTimeout(resolve, 0); }).then(function () {
          // The frames' titles are shown in HTML (setTitle): plotly gets the data
          // only, so a frame never costs a relayout.
          return Plotly.addFrames(self.gd, spec.frames.map(function (f) {
            var copy = Object.assign({}, f);
            delete copy.layout;
            return copy;
          }));
        });
      }
    }).then(function () { return self.replay(); });
  };

  /** Re-apply the chosen slider steps, menu entries and frame after a redraw. */
  Figure.prototype.replay = function () {
    var layout = this.spec.layout || {}, self = this, chain = Promise.resolve();
    Object.keys(this.state).forEach(function (key) {
      var k = self.state[key], i = +key.replace(/\D/g, "");
      var step = key.indexOf("menu") === 0 ? layout.updatemenus[i].buttons[k] : layout.sliders[i].steps[k];
      chain = chain.then(function () { return self.applyStep(step); });
    });
    if (this.frameNames && this.frameIndex > 0) {
      chain = chain.then(function () { return self.showFrame(self.frameIndex); });
    }
    return chain;
  };

  /* ------------------------------------------------------------------ */
  /* The page: find the figures, draw them near the viewport, follow the  */
  /* theme and the width.                                                */
  /* ------------------------------------------------------------------ */

  var figures = [];
  var queue = [];
  var busy = false;

  /** Draw queued figures one per task, so that no single task is long. */
  function drain() {
    if (busy || !queue.length) return;
    busy = true;
    loadPlotly().then(function () {
      var fig = queue.shift();
      return fig.draw();
    }).catch(function (err) {
      console.error("mlpbook: a figure could not be drawn", err);
    }).then(function () {
      busy = false;
      setTimeout(drain, 0);
    });
  }

  function enqueue(fig) {
    if (fig.queued) return;
    fig.queued = true;
    queue.push(fig);
    drain();
  }

  function init() {
    document.querySelectorAll(".mlpbook-plotly-figure").forEach(function (gd) {
      var json = gd.parentNode.querySelector(".mlpbook-plotly-json");
      if (!json || gd.mlpbook) return;
      var fig = new Figure(gd, JSON.parse(json.textContent));
      gd.mlpbook = fig;
      figures.push(fig);
    });
    if (!figures.length) return;
    if ("IntersectionObserver" in window) {
      var observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (e) {
          if (e.isIntersecting) {
            observer.unobserve(e.target);
            enqueue(e.target.mlpbook);
          }
        });
      }, { rootMargin: "800px 0px" });
      figures.forEach(function (f) { observer.observe(f.gd); });
    } else {
      figures.forEach(enqueue);
    }
    // Fetch plotly.js once the page has loaded, even with no figure in view yet.
    if (document.readyState === "complete") loadPlotly();
    else window.addEventListener("load", function () { loadPlotly(); });
    // Follow the theme switch (pydata-sphinx-theme sets data-theme on <html>).
    new MutationObserver(function () {
      figures.forEach(function (f) { if (f.drawn) f.draw(); });
    }).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    // Follow the width: switch between the phone and desktop layouts.
    var resizeTimer = null;
    window.addEventListener("resize", function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(function () {
        figures.forEach(function (f) { if (f.drawn) f.draw(); });
      }, 150);
    });
  }

  // plotly.js rejects the promise of an animation that the next frame
  // interrupts, with no reason; unhandled, that is a console error.
  window.addEventListener("unhandledrejection", function (e) {
    if (e.reason === undefined) e.preventDefault();
  });

  window.mlpbookFigures = figures; // for the browser tests and the speed benchmark

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
