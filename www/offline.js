// Offline support for the app page (a file, not an inline script, so the
// Content-Security-Policy can forbid inline scripts):
//
// - registers the service worker sw.js (written by scripts/service-worker.mjs
//   into every release build), once the app has started, so its precaching
//   never competes with the first load;
// - when a new build is installed and waiting, shows "A new version is
//   ready" (data-testid="update-ready") with a Reload button; the new
//   version takes over only then, never under a running drill (the episode
//   in progress is saved after every step, and a reload reopens it);
// - says when the page is offline (data-testid="offline-status"), and
//   when it has just been saved for offline use (data-testid="offline-ready");
// - while offline, a link to another site says that it needs the network
//   (data-testid="offline-link") instead of failing.
//
// The notices sit in one live region at the page's bottom corner, shared by
// the app and the facilitator's view (an embedded drill has it at its top).
(function () {
  "use strict";
  var embedded = new URLSearchParams(window.location.search).has("embed");
  var region = null;

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // One polite live region, present (empty) from the start so screen
  // readers announce what is put in it later.
  // In an embedded drill they open the frame instead, in the flow: a frame
  // as tall as its content has no free corner.
  function notices() {
    if (!region) {
      region = element("div", { class: embedded ? "pwa-notices pwa-notices-inline" : "pwa-notices", role: "status", "aria-live": "polite" });
      document.body.prepend(region);
    }
    return region;
  }

  /** Shows (or replaces) the notice `id`: a message and its buttons. */
  function show(id, message, buttons) {
    var old = notices().querySelector("[data-testid=" + id + "]");
    var notice = element("div", { class: "pwa-notice pwa-" + id, "data-testid": id });
    notice.appendChild(element("p", {}, message));
    if (buttons && buttons.length) {
      var row = element("div", { class: "pwa-notice-actions" });
      buttons.forEach(function (button) {
        var node = element("button", { type: "button", class: button.primary ? "primary" : "secondary", "data-testid": button.testid }, button.label);
        node.addEventListener("click", button.click);
        row.appendChild(node);
      });
      notice.appendChild(row);
    }
    if (old) notices().replaceChild(notice, old);
    else notices().appendChild(notice);
    return notice;
  }

  function hide(id) {
    var notice = region && region.querySelector("[data-testid=" + id + "]");
    if (notice) notice.remove();
  }

  // ---- the network -------------------------------------------------------

  function showNetwork() {
    if (navigator.onLine) {
      hide("offline-status");
      hide("offline-link");
      return;
    }
    var saved = !!(navigator.serviceWorker && navigator.serviceWorker.controller);
    show("offline-status", saved
      ? "Offline: Firedrill is running from the copy saved on this device. Drills, scores and queries all work."
      : "Offline, and this page is not saved on this device yet: keep it open, a reload needs the network.");
  }

  // A link to another site cannot open offline: say so rather than show
  // the browser's error page. (Firedrill has none today; a scenario's or a
  // pack's future link out would.)
  document.addEventListener("click", function (event) {
    if (navigator.onLine || event.defaultPrevented) return;
    var link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!link) return;
    var url = new URL(link.href, window.location.href);
    if (!/^https?:$/.test(url.protocol) || url.origin === window.location.origin) return;
    event.preventDefault();
    show("offline-link", "That link opens " + url.host + ", which needs the network: you are offline. It will open once you are back online.", [
      { label: "OK", testid: "offline-link-dismiss", click: function () { hide("offline-link"); } },
    ]);
  }, true);

  window.addEventListener("online", showNetwork);
  window.addEventListener("offline", showNetwork);

  // ---- the service worker ------------------------------------------------

  // Service workers need http(s) (file:// is refused, and boot.js says how
  // to serve the folder) and a browser that has them.
  if (!("serviceWorker" in navigator) || !/^https?:$/.test(window.location.protocol)) {
    document.addEventListener("DOMContentLoaded", showNetwork);
    return;
  }
  var container = navigator.serviceWorker;
  var controlled = !!container.controller;
  // A page no worker controlled when it loaded is a first visit: once the
  // worker is activated, the app is saved for offline use. (The worker
  // claims the page inside its activation, so "controllerchange" comes
  // before "activated": `controlled` is already true by then.)
  var firstVisit = !controlled;
  var reloading = false;
  var asked = false; // this page's Reload asked the new version to take over

  function reload() {
    if (reloading) return;
    reloading = true;
    window.location.reload();
  }

  function offerUpdate(worker) {
    show("update-ready", "A new version of Firedrill is ready. Reload to use it: your progress is kept.", [
      {
        label: "Reload", testid: "update-reload", primary: true, click: function () {
          // The new worker takes over (controllerchange), then the page reloads.
          asked = true;
          if (worker.state === "activated") reload();
          else worker.postMessage({ type: "skip-waiting" });
          window.setTimeout(reload, 3000); // never stuck on a worker that does not answer
        },
      },
      { label: "Later", testid: "update-later", click: function () { hide("update-ready"); } },
    ]);
  }

  function offlineReady() {
    if (embedded) return; // a docs page's drill stays quiet
    var notice = show("offline-ready", "Firedrill is saved on this device: it now works without a network.", [
      { label: "OK", testid: "offline-ready-dismiss", click: function () { hide("offline-ready"); } },
    ]);
    window.setTimeout(function () { if (notice.isConnected) notice.remove(); }, 10000);
  }

  function watch(registration) {
    if (!registration) return; // a browser that blocks service workers (some privacy settings)
    function track(worker) {
      if (!worker) return;
      worker.addEventListener("statechange", function () {
        if (worker.state === "installed" && container.controller) offerUpdate(worker);
        if (worker.state === "activated" && firstVisit) {
          firstVisit = false;
          offlineReady();
        }
      });
    }
    // A version may already wait, or be installing since before this page listened.
    if (registration.waiting && container.controller) offerUpdate(registration.waiting);
    track(registration.installing);
    registration.addEventListener("updatefound", function () { track(registration.installing); });
    // A page left open for hours still hears of a new build.
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") registration.update().catch(function () {});
    });
  }

  container.addEventListener("controllerchange", function () {
    if (!controlled) {
      controlled = true; // the first worker took this page over: nothing changed
      showNetwork();
    } else if (asked) {
      reload(); // the version this page asked for took over: run it
    } else {
      show("update-ready", "Firedrill was updated in another tab. Reload when it suits you: your progress is kept.", [
        { label: "Reload", testid: "update-reload", primary: true, click: reload },
        { label: "Later", testid: "update-later", click: function () { hide("update-ready"); } },
      ]);
    }
  });

  function register() {
    container.register("sw.js").then(watch, function (error) {
      // Not fatal: the app works online; only offline use is lost.
      console.warn("Firedrill: offline use is not available: " + error.message);
    });
  }

  var registered = false;
  function registerOnce() {
    if (registered) return;
    registered = true;
    register();
  }
  // After the app has started (boot.js hides the loading screen then), or
  // after the page's load if the app never says so.
  window.addEventListener("TrunkApplicationStarted", function () { window.setTimeout(registerOnce, 0); });
  window.addEventListener("load", function () { window.setTimeout(registerOnce, 5000); });
  document.addEventListener("DOMContentLoaded", showNetwork);
})();
