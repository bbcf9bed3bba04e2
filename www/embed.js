// Firedrill embed script: one tag in a docs page inserts a live drill.
//
//   <script src="https://example.org/firedrill/embed.js"
//           data-scenario="connection-pool-exhaustion-v1" data-seed="3"
//           data-height="640"></script>
//
// Attributes: data-drill (a scenario's handle, which does not name its
// cause), data-scenario (a scenario id) or data-task (a task id),
// data-seed (default 1), data-height (pixels, or "auto" to follow the
// drill's content; default 640), data-title (the iframe's accessible
// title), data-id (the iframe's id), data-app (the app's URL relative to
// this script; default "index.html").
//
// The iframe gets ?embed=1&drill=…(or scenario=…)&seed=…&parent=<this page's origin>,
// so the drill accepts messages from this page only. For the host page's
// own code the iframe element carries `firedrill`:
//   iframe.firedrill.ready               a promise of the { type: "ready" } message
//   iframe.firedrill.send(message)       posts { type, … } and resolves to the reply
//                                        (rejects for { type: "error" } with an Error
//                                        named FiredrillError: its kind is the reply's kind,
//                                        its message the reply's detail, error.reply the reply)
//   iframe.addEventListener("firedrill:message", e => e.detail)   every message
// See docs/embedding.md for the protocol.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.parentNode) return;
  var data = script.dataset;
  var app = new URL(data.app || "index.html", script.src);
  var params = new URLSearchParams();
  params.set("embed", "1");
  if (data.drill) params.set("drill", data.drill);
  else if (data.scenario) params.set("scenario", data.scenario);
  else if (data.task) params.set("task", data.task);
  params.set("seed", data.seed || "1");
  if (window.location.origin && window.location.origin !== "null") {
    params.set("parent", window.location.origin);
  }
  app.search = params.toString();

  var auto = data.height === "auto";
  var height = auto ? 640 : parseInt(data.height, 10);
  if (!(height >= 200 && height <= 10000)) height = 640;

  var iframe = document.createElement("iframe");
  iframe.src = app.href;
  iframe.title = data.title || "Firedrill incident-response drill";
  iframe.className = "firedrill-embed";
  if (data.id) iframe.id = data.id;
  iframe.setAttribute("allow", "clipboard-write");
  iframe.style.width = "100%";
  iframe.style.height = height + "px";
  iframe.style.border = "1px solid #d0d7de";
  iframe.style.borderRadius = "8px";
  iframe.style.display = "block";
  script.parentNode.insertBefore(iframe, script.nextSibling);

  var pending = {};
  var counter = 0;
  var readyResolve;
  var ready = new Promise(function (resolve) { readyResolve = resolve; });

  window.addEventListener("message", function (event) {
    if (event.source !== iframe.contentWindow || event.origin !== app.origin) return;
    var message = event.data;
    if (!message || typeof message !== "object" || typeof message.type !== "string") return;
    if (message.type === "ready") readyResolve(message);
    if (message.type === "resize" && auto && typeof message.height === "number" && isFinite(message.height)) {
      iframe.style.height = Math.max(200, Math.min(10000, Math.ceil(message.height) + 2)) + "px";
    }
    if (message.id !== undefined && Object.prototype.hasOwnProperty.call(pending, message.id)) {
      var waiter = pending[message.id];
      delete pending[message.id];
      if (message.type === "error") {
        var error = new Error(message.detail);
        error.name = "FiredrillError";
        error.kind = message.kind;
        error.reply = message;
        waiter.reject(error);
      } else {
        waiter.resolve(message);
      }
    }
    iframe.dispatchEvent(new CustomEvent("firedrill:message", { detail: message }));
  });

  iframe.firedrill = {
    ready: ready,
    origin: app.origin,
    send: function (message) {
      return ready.then(function () {
        var id = message.id !== undefined ? message.id : "embed-" + (++counter);
        var sent = Object.assign({}, message, { id: id });
        return new Promise(function (resolve, reject) {
          pending[id] = { resolve: resolve, reject: reject };
          iframe.contentWindow.postMessage(sent, app.origin);
        });
      });
    },
  };
})();
