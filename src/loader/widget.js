// Switchboard loader: the one file a site owner's <script> tag fetches.
// No framework and no dependencies: it shows the launcher inside a Shadow DOM
// root (no CSS leaks either way) and loads the WebAssembly widget only when
// the visitor first opens the chat. The only global is window.Switchboard
// (or the script's data-global name), unless the page has its own.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;
  var site = script.getAttribute("data-site") || "";
  var base = script.src.replace(/\/widget\.js(\?.*)?$/, "");
  // `cargo xtask build` puts every locale file's launcher labels here.
  var labels = /*LAUNCHER_LABELS*/ { en: ["Open chat", "Close chat", "{count} new", "The chat could not be loaded. Please try again later."] };

  // The page API, usable before the widget is ready: calls queue until then.
  // Its name is window.Switchboard (or data-global's), unless the page has
  // a Switchboard of its own (a string, a frozen or another product's
  // object): then window.SwitchboardChat, said once in the console.
  // (Free: nothing, or a plain object holding at most a queue `_q`.)
  function free(v) {
    return v === undefined || (!!v && Object.getPrototypeOf(v) === Object.prototype && Object.isExtensible(v) &&
      Object.keys(v).every(function (k) { return k === "_q"; }));
  }
  var name = script.getAttribute("data-global") || "Switchboard";
  // The tag twice on a page: the first one runs the chat.
  if (window[name] && window[name].__switchboard) return;
  if (!free(window[name])) {
    console.warn("Switchboard: window." + name + " is the page's own; the chat's API is window.SwitchboardChat");
    name = "SwitchboardChat";
  }
  var api = free(window[name]) && window[name] || {};
  Object.defineProperty(api, "__switchboard", { value: true });
  var queue = api._q || [];
  var listeners = {};
  var ready = false;
  var identity = {};
  function run(name, args) {
    if (!ready) { queue.push([name, args]); return; }
    if (name === "open") setOpen(true);
    else if (name === "close") setOpen(false);
    else if (name === "identify" && args[0] && typeof args[0] === "object") {
      // Known before the stream starts: capture cards for these are skipped.
      for (var k in args[0]) if (Object.prototype.hasOwnProperty.call(args[0], k)) identity[k] = String(args[0][k]);
      // Already running: the widget takes it for the cards still ahead.
      if (mounted) container.dispatchEvent(new CustomEvent("sb-identify", { detail: JSON.stringify(identity) }));
    }
  }
  api.open = function () { run("open", []); };
  api.close = function () { run("close", []); };
  api.identify = function (attributes) { run("identify", [attributes]); };
  api.on = function (event, fn) {
    (listeners[event] = listeners[event] || []).push(fn);
    if (event === "ready" && ready) fn({});
  };
  if (free(window[name]) || window[name] === api) {
    try { window[name] = api; } catch (e) { /* a property the page locked */ }
  }
  function emit(event, detail) {
    (listeners[event] || []).forEach(function (fn) { try { fn(detail); } catch (e) { console.error(e); } });
  }

  var host, root, launcher, container, config, locale, widget = null, open = false;

  // What the page's Content-Security-Policy refused of the widget, by
  // directive: named in the one error said when the chat cannot start.
  var refused = [], failed = false, bare = false;
  document.addEventListener("securitypolicyviolation", function (e) {
    var ours = /^(wasm-)?eval$/.test(e.blockedURI) ? e.sourceFile : e.blockedURI;
    if (String(ours).indexOf(base) === 0 && refused.indexOf(e.effectiveDirective) < 0) refused.push(e.effectiveDirective);
  });
  function report(why) {
    if (failed) return;
    failed = true;
    // (Violations are told a moment after the failure.)
    setTimeout(function () {
      console.error("Switchboard: the chat cannot start: " + (refused.length
        ? "this page's Content-Security-Policy blocks it (" + refused.join(", ") + ")" : why));
    }, 100);
  }
  // The visitor is told in the panel, whatever styles loaded (anew at each
  // opening, so that it is said again).
  function unavailable() {
    var old = container.querySelector("[data-testid=unavailable]");
    if (old) container.removeChild(old);
    var note = document.createElement("p");
    note.setAttribute("role", "alert");
    note.setAttribute("data-testid", "unavailable");
    note.textContent = labels[locale][3];
    note.style.cssText = "margin:0;padding:16px;max-width:280px;background:#fff;color:#1d2433;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25)";
    container.appendChild(note);
  }

  // Loading (also ahead of time, when the page is idle) only fetches and
  // compiles the widget; it is mounted on first open, with what the page told
  // Switchboard.identify by then.
  function loadWidget() {
    if (!widget) {
      // The wasm is fetched alongside the JS glue, not after it.
      var wasm = fetch(base + "/widget/switchboard-widget_bg.wasm", { credentials: "omit" });
      widget = import(base + "/widget/switchboard-widget.js").then(function (mod) {
        return mod.default({ module_or_path: wasm }).then(function () {
          return mod;
        });
      });
      widget.catch(function (e) {
        // Next time the visitor opens the chat, try again.
        widget = null;
        report("the widget could not load (" + e + ")");
      });
    }
    return widget;
  }

  var mounted = false;
  function mountWidget() {
    if (bare) return unavailable();
    loadWidget().then(function (mod) {
      // (The stylesheet may have failed meanwhile: no unstyled panel.)
      if (bare) return unavailable();
      if (mounted) return;
      var note = container.querySelector("[data-testid=unavailable]");
      if (note) container.removeChild(note);
      mounted = true;
      mod.mount(container, site, base, JSON.stringify(config), JSON.stringify(identity));
    }, unavailable);
  }

  function focusPanel() {
    var target = container.querySelector("button, [href], input, textarea, select, [tabindex]");
    if (target) { target.focus(); return; }
    var observer = new MutationObserver(function () {
      var t = container.querySelector("button, [href], input, textarea, select, [tabindex]");
      if (t && open) { observer.disconnect(); t.focus(); }
    });
    observer.observe(container, { childList: true, subtree: true });
    setTimeout(function () { observer.disconnect(); }, 10000);
  }

  // Whether the panel was open stays with the tab, so after a reload or on
  // the next page of the site the chat is where the visitor left it.
  var openKey = "switchboard:" + site + ":open";
  function remember(value) {
    try { sessionStorage.setItem(openKey, value ? "1" : "0"); } catch (e) { /* storage blocked */ }
  }
  function wasOpen() {
    try { return sessionStorage.getItem(openKey) === "1"; } catch (e) { return false; }
  }

  // `quiet`: reopening by itself after a reload does not move the page's focus.
  function setOpen(value, quiet) {
    if (value === open) return;
    open = value;
    remember(open);
    container.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    if (open) setUnread(0);
    launcher.setAttribute("aria-label", launcher.dataset[open ? "close" : "open"]);
    if (open) { mountWidget(); if (!quiet) focusPanel(); } else if (!quiet) { launcher.focus(); }
  }

  // Black or white, whichever reads better on the accent (WCAG contrast).
  function onAccent(hex) {
    var l = [1, 3, 5].map(function (i) {
      var c = parseInt(String(hex).substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    l = 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
    return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? "#fff" : "#000";
  }

  // The site's new-message sound: a short soft tone, no file to fetch.
  var audio = null;
  function unlockSound() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) audio = new Context();
    if (audio && audio.state === "suspended") audio.resume();
  }
  function chime() {
    try {
      unlockSound();
      var t = audio.currentTime, tone = audio.createOscillator(), gain = audio.createGain();
      tone.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.2, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.35);
      tone.connect(gain);
      gain.connect(audio.destination);
      tone.start(t);
      tone.stop(t + 0.35);
    } catch (e) { /* no audio here */ }
  }

  // Agent messages that came while the panel was closed: a count on the
  // launcher, in its name, and said once by a live region.
  var unread = 0, badge, news;
  function setUnread(n) {
    unread = n;
    var said = n ? launcher.dataset.unread.replace("{count}", n) : "";
    badge.textContent = n ? String(n) : "";
    badge.hidden = !n;
    news.textContent = said;
    if (!open) launcher.setAttribute("aria-label", launcher.dataset.open + (n ? " (" + said + ")" : ""));
  }

  function start(siteConfig) {
    config = siteConfig;
    // The site's language, else the first of the visitor's that is built in.
    var wanted = [config.appearance && config.appearance.locale].concat(navigator.languages || [navigator.language]);
    locale = "en";
    for (var i = 0; i < wanted.length; i++) {
      var primary = String(wanted[i] || "").split(/[-_]/)[0].toLowerCase();
      if (primary in labels) { locale = primary; break; }
    }
    host = document.createElement("div");
    host.id = "switchboard-widget";
    // Its own direction, never the page's.
    host.dir = "ltr";
    root = host.attachShadow({ mode: "open" });
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = base + "/widget/widget.css";
    root.appendChild(css);
    var frame = document.createElement("div");
    // Shown once its styles are in: never a bare button on the page. Without
    // them (a policy that refuses the stylesheet) the launcher stands where
    // it belongs all the same, and opening it says the chat is unavailable.
    frame.style.display = "none";
    css.onload = function () { frame.style.display = ""; };
    css.onerror = function () {
      bare = true;
      var left = config.appearance.position === "bottom_left";
      frame.style.cssText = "position:fixed;bottom:20px;" + (left ? "left" : "right") +
        ":20px;z-index:2147483000;display:flex;flex-direction:column;gap:12px;align-items:flex-" + (left ? "start" : "end");
      report("its stylesheet did not load");
    };
    frame.className = "sb-frame sb-" + String(config.appearance.position || "bottom_right").replace("_", "-");
    frame.style.setProperty("--sb-accent", config.appearance.accent);
    frame.style.setProperty("--sb-on-accent", onAccent(config.appearance.accent));
    frame.style.setProperty("--sb-offset", (config.appearance.offset_px || 20) + "px");
    container = document.createElement("div");
    container.className = "sb-container";
    container.id = "sb-container";
    container.hidden = true;
    launcher = document.createElement("button");
    launcher.type = "button";
    launcher.className = "sb-launcher";
    launcher.setAttribute("data-testid", "launcher");
    var label = config.appearance.launcher_label;
    launcher.dataset.open = label || labels[locale][0];
    launcher.dataset.close = labels[locale][1];
    launcher.dataset.unread = labels[locale][2];
    launcher.setAttribute("aria-label", launcher.dataset.open);
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "sb-container");
    launcher.innerHTML = '<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">' +
      '<path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';
    if (label) {
      // The site's own words beside the icon (as text: never as markup).
      var text = document.createElement("span");
      text.className = "sb-launcher-label";
      text.setAttribute("aria-hidden", "true");
      text.textContent = label;
      launcher.appendChild(text);
      launcher.classList.add("sb-labelled");
    }
    launcher.addEventListener("click", function () { setOpen(!open); });
    // The sound may only start after the visitor did something here.
    if (config.appearance.sound) {
      root.addEventListener("pointerdown", unlockSound);
      root.addEventListener("keydown", unlockSound);
    }
    container.addEventListener("sb-agent-wrote", function (e) {
      // (detail: news to the visitor, not had first by another of their tabs)
      if (e.detail === true && config.appearance.sound && (!open || document.hidden)) chime();
      if (!open) setUnread(unread + 1);
    });
    container.addEventListener("sb-close", function () { setOpen(false); });
    container.addEventListener("sb-event", function (e) { emit(e.detail.name, e.detail.detail); });
    root.addEventListener("keydown", function (e) { if (e.key === "Escape" && open) setOpen(false); });
    badge = document.createElement("span");
    badge.className = "sb-badge";
    badge.setAttribute("data-testid", "unread");
    badge.setAttribute("aria-hidden", "true");
    badge.hidden = true;
    launcher.appendChild(badge);
    news = document.createElement("span");
    news.className = "sb-sr-only";
    // (Hidden also without the stylesheet.)
    news.style.cssText = "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)";
    news.setAttribute("aria-live", "polite");
    frame.appendChild(container);
    frame.appendChild(launcher);
    frame.appendChild(news);
    root.appendChild(frame);
    document.body.appendChild(host);
    // Fetched once the visitor moves towards the launcher, so opening feels
    // instant; ahead of that only when the page is idle on a fast
    // connection without data saver (every page view would pay for it).
    ["pointerenter", "focus", "touchstart"].forEach(function (e) {
      // (Not again after a failure: opening tries again.)
      launcher.addEventListener(e, function () { if (!bare && !failed) loadWidget(); }, { passive: true });
    });
    var net = navigator.connection;
    if (net && !net.saveData && net.effectiveType === "4g" && "requestIdleCallback" in window) {
      window.requestIdleCallback(function () { if (!bare) loadWidget(); }, { timeout: 10000 });
    }
    ready = true;
    queue.splice(0).forEach(function (c) { run(c[0], c[1]); });
    if (wasOpen()) setOpen(true, true);
    emit("ready", {});
  }

  fetch(base + "/api/sites/" + encodeURIComponent(site) + "/config", { credentials: "omit" })
    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(function (config) {
      // The site switched chat off: no launcher, nothing on the page.
      if (config.chat_enabled === false) return;
      if (document.body) start(config);
      else document.addEventListener("DOMContentLoaded", function () { start(config); });
    })
    .catch(function (e) {
      // Not allowed on this origin, unknown site or server down: stay silent.
      console.warn("Switchboard: not starting (" + e.message + ")");
    });
})();
