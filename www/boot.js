// The page's loading and crash screens (a file, not an inline script, so
// the Content-Security-Policy can forbid inline scripts).
//
// Until the app has started, any failure (a missing file, a wasm that does
// not instantiate) is shown in the loading screen. After, the app's panic
// hook calls window.firedrillFatal(message): a panel with the message, a
// "Copy details" button and a reload button replaces the page. The episode
// in progress was saved after its last step, so a reload reopens it.
(function () {
  "use strict";
  var started = false;
  var details = [];

  // The loading screen is the picker's first view (index.html); the
  // embedded drill and the facilitator's view are not the picker, so
  // theirs shows the loading status alone.
  var query = new URLSearchParams(window.location.search);
  if (query.get("embed") === "1" || query.get("facilitate") === "1") {
    document.documentElement.classList.add("boot-plain");
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function report() {
    return [
      "Firedrill stopped: " + details.join("\n"),
      "page: " + window.location.href,
      "browser: " + navigator.userAgent,
      "time: " + new Date().toISOString(),
    ].join("\n");
  }

  window.firedrillFatal = function (message) {
    details.push(String(message));
    var boot = document.getElementById("boot");
    if (!boot) {
      boot = element("div", { id: "boot", class: "boot" });
      document.body.appendChild(boot);
    }
    var pre = boot.querySelector("[data-testid=fatal-error]");
    if (pre) {
      // Keep the first message (the panic); add what followed from it.
      pre.textContent = details.join("\n");
      return;
    }
    boot.setAttribute("role", "alert");
    boot.removeAttribute("aria-busy");
    boot.classList.add("boot-failed");
    boot.hidden = false;
    boot.textContent = "";
    var card = element("div", { class: "boot-card" });
    card.appendChild(element("div", { class: "boot-title" }, "Firedrill stopped"));
    card.appendChild(element("p", {}, started
      ? "Something went wrong inside the drill engine. Your episode was saved after its last step: reload the page to go on from there."
      : "The app could not start. Reload the page to try again."));
    card.appendChild(element("pre", { "data-testid": "fatal-error" }, details.join("\n")));
    var buttons = element("div", { class: "boot-actions" });
    var copy = element("button", { type: "button", class: "secondary", "data-testid": "fatal-copy" }, "Copy details");
    copy.addEventListener("click", function () {
      var done = function () { copy.textContent = "Copied"; };
      var fallback = function () {
        // Clipboard refused (no permission, no secure context): select the text instead.
        var range = document.createRange();
        range.selectNodeContents(card.querySelector("pre"));
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        copy.textContent = "Selected: press Ctrl+C";
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(report()).then(done, fallback);
      } else {
        fallback();
      }
    });
    var reload = element("button", { type: "button", class: "primary", "data-testid": "fatal-reload" }, "Reload");
    reload.addEventListener("click", function () { window.location.reload(); });
    buttons.appendChild(copy);
    buttons.appendChild(reload);
    card.appendChild(buttons);
    boot.appendChild(card);
  };

  // Opened from disk (a build on a USB stick, double-clicked): browsers
  // refuse to load WebAssembly from file://, so say how to serve the folder
  // instead of showing the load failures that follow.
  var fromDisk = window.location.protocol === "file:";
  if (fromDisk) {
    document.addEventListener("DOMContentLoaded", function () {
      var boot = document.getElementById("boot");
      var message = document.getElementById("boot-message");
      if (!boot || !message) return;
      boot.setAttribute("role", "alert");
      // Plain elements: the stylesheet does not load from disk either.
      var help = element("div", { "data-testid": "file-protocol" });
      help.appendChild(element("p", {}, "Firedrill cannot run from a file opened on disk: browsers refuse to load its engine (WebAssembly) from file://. Serve this folder instead. In a terminal, in this folder:"));
      help.appendChild(element("pre", { class: "boot-command" }, "python3 -m http.server 8000"));
      help.appendChild(element("p", {}, "then open http://127.0.0.1:8000/ (or run: firedrill serve-app FOLDER). The README's \u201cRun a workshop without internet\u201d says more."));
      message.replaceWith(help);
    });
  }

  function failedToStart(message) {
    if (!started && !fromDisk) window.firedrillFatal("The app could not start: " + message);
  }
  window.addEventListener("error", function (event) {
    var target = event.target;
    if (target && (target.tagName === "SCRIPT" || target.tagName === "LINK")) {
      failedToStart("could not load " + (target.src || target.href));
    } else {
      failedToStart(event.message || String(event.error));
    }
  }, true);
  window.addEventListener("unhandledrejection", function (event) {
    failedToStart(event.reason && event.reason.message ? event.reason.message : String(event.reason));
  });
  window.addEventListener("TrunkApplicationStarted", function () {
    started = true;
    var boot = document.getElementById("boot");
    if (boot && !boot.classList.contains("boot-failed")) boot.remove();
  });
})();
