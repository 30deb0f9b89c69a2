/* Clientside helpers of the Nonlinear X-ray Spectra Explorer (registered from components/*.py).
 * Kept in the browser because they need no physics: no server round trip, instant response. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  explorer: {
    /* Zoom one spectral figure's energy axis -> zoom the other two.  Plotly.relayout on a
     * partner emits its own relayoutData, which calls us again: the equality guard stops that. */
    syncZoom: function () {
      var ids = ["spectra-graph", "difference-graph", "model-graph"];
      var ctx = window.dash_clientside.callback_context;
      if (!ctx || !ctx.triggered || !ctx.triggered.length) { return window.dash_clientside.no_update; }
      var trig = ctx.triggered[0];
      var src = trig.prop_id.split(".")[0];
      var rd = trig.value || {};
      var range = null;
      ["xaxis", "xaxis2"].forEach(function (ax) {
        if (range) { return; }
        if (rd[ax + ".range[0]"] !== undefined && rd[ax + ".range[1]"] !== undefined) {
          range = [rd[ax + ".range[0]"], rd[ax + ".range[1]"]];
        } else if (Array.isArray(rd[ax + ".range"])) {
          range = rd[ax + ".range"].slice(0, 2);
        } else if (rd[ax + ".autorange"] === true) {
          range = [765, 795];
        }
      });
      if (!range || !isFinite(range[0]) || !isFinite(range[1])) { return window.dash_clientside.no_update; }
      ids.forEach(function (id) {
        if (id === src) { return; }
        var holder = document.getElementById(id);
        var gd = holder && (holder.classList.contains("js-plotly-plot") ? holder : holder.querySelector(".js-plotly-plot"));
        if (!gd || !gd.layout || !window.Plotly) { return; }
        var axes = gd.layout.xaxis2 ? ["xaxis", "xaxis2"] : ["xaxis"];
        var cur = (gd.layout[axes[axes.length - 1]] || {}).range || [null, null];
        if (Math.abs(cur[0] - range[0]) < 1e-6 && Math.abs(cur[1] - range[1]) < 1e-6) { return; }
        var upd = {};
        axes.forEach(function (ax) { upd[ax + ".range"] = [range[0], range[1]]; upd[ax + ".autorange"] = false; });
        window.Plotly.relayout(gd, upd);
      });
      return {source: src, range: range};
    },

    rootClass: function (value) {
      return (Array.isArray(value) && value.indexOf("large") >= 0) ? "app large" : "app";
    },

    /* Refuse files over 1 MB in the browser (with a message) before they are sent. */
    checkUpload: function (contents, filename) {
      var nu = window.dash_clientside.no_update;
      if (typeof contents !== "string") { return [nu, nu]; }
      var comma = contents.indexOf(",");
      var bytes = Math.floor((contents.length - comma - 1) * 3 / 4);
      if (bytes > 1000000) {
        var mb = (bytes / 1e6).toFixed(1);
        return [nu, "\u201c" + String(filename || "file").slice(0, 80) + "\u201d was not used: the file is " + mb +
                " MB, more than the 1 MB limit; a spectrum needs far less."];
      }
      return [{contents: contents, filename: filename}, "Checking \u201c" + String(filename || "file").slice(0, 80) + "\u201d\u2026"];
    }
  }
});
