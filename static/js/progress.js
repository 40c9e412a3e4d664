/*
 * Reading progress for a patient's page (templates/patient/item.html). No framework, no inline code.
 *
 * Measures the seconds the page is actually visible (Page Visibility API) and whether the end of the
 * page came into view (IntersectionObserver on [data-progress-end]), and reports them to the URL in
 * [data-progress-url] with navigator.sendBeacon: once when the page is first seen (that is when it
 * counts as opened: the server records nothing for a plain GET), every 15 s while visible, when the
 * page is hidden and when it is left. Each report carries [data-progress-shown] (the signed version
 * and time the page was shown) and a random client id, so the server counts a resent report once.
 * Reports that cannot be sent (offline) are kept in localStorage and sent when back online.
 * Without this script the page still works: acknowledging is an ordinary form post.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-progress-url]");
  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (!root || !csrfInput || !window.FormData || !window.performance) {
    return;
  }

  var QUEUE_KEY = "portal-progress-queue";
  var QUEUE_LIMIT = 200;
  var INTERVAL_MS = 15000;
  var MAX_SECONDS = 3600;
  var url = root.getAttribute("data-progress-url");
  var shown = root.getAttribute("data-progress-shown") || "";
  var csrfToken = csrfInput.value;
  var visibleMs = 0;
  var visibleSince = document.visibilityState === "visible" ? performance.now() : null;
  var endReached = false;
  var endReported = false;
  var openReported = false;

  function clientId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function takeWholeSeconds() {
    var now = performance.now();
    if (visibleSince !== null) {
      visibleMs += now - visibleSince;
      visibleSince = now;
    }
    var seconds = Math.min(Math.floor(visibleMs / 1000), MAX_SECONDS);
    visibleMs -= seconds * 1000;
    return seconds;
  }

  function readQueue() {
    try {
      var queue = JSON.parse(window.localStorage.getItem(QUEUE_KEY) || "[]");
      return Array.isArray(queue) ? queue : [];
    } catch (error) {
      return [];
    }
  }

  function writeQueue(queue) {
    try {
      if (queue.length) {
        window.localStorage.setItem(QUEUE_KEY, JSON.stringify(queue.slice(-QUEUE_LIMIT)));
      } else {
        window.localStorage.removeItem(QUEUE_KEY);
      }
    } catch (error) {
      /* storage full or disabled: the report is lost, the page still works */
    }
  }

  function enqueue(report) {
    var queue = readQueue();
    queue.push(report);
    writeQueue(queue);
  }

  function body(report) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrfToken);
    data.append("client_id", report.id);
    data.append("seconds", String(report.seconds));
    data.append("reached_end", report.end ? "true" : "false");
    data.append("shown", report.shown || "");
    return data;
  }

  function send(report) {
    var queued = false;
    if (navigator.onLine !== false && typeof navigator.sendBeacon === "function") {
      try {
        queued = navigator.sendBeacon(report.url, body(report));
      } catch (error) {
        queued = false;
      }
    }
    if (!queued) {
      enqueue(report);
    }
  }

  function report() {
    var seconds = takeWholeSeconds();
    var end = endReached && !endReported;
    if (seconds === 0 && !end && openReported) {
      return;
    }
    endReported = endReported || end;
    openReported = true;
    send({ url: url, id: clientId(), seconds: seconds, end: end, shown: shown });
  }

  // Kept reports go out one by one with fetch, so that each is removed only once the server has
  // answered (any answer but a server error: a 4xx report can never succeed, e.g. a link that ended).
  var flushing = false;
  function flushQueue() {
    if (flushing || navigator.onLine === false || typeof window.fetch !== "function") {
      return;
    }
    var queue = readQueue();
    if (!queue.length) {
      return;
    }
    flushing = true;
    var next = queue[0];
    window.fetch(next.url, { method: "POST", body: body(next), credentials: "same-origin", keepalive: true })
      .then(function (response) {
        flushing = false;
        if (response.status < 500) {
          writeQueue(readQueue().filter(function (kept) { return kept.id !== next.id; }));
          flushQueue();
        }
      })
      .catch(function () {
        flushing = false;
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      report();
      visibleSince = null;
    } else {
      visibleSince = performance.now();
      if (!openReported) {
        report();
      }
      flushQueue();
    }
  });
  window.addEventListener("pagehide", report);
  window.addEventListener("online", flushQueue);
  window.setInterval(function () {
    if (document.visibilityState === "visible") {
      report();
    }
  }, INTERVAL_MS);

  var marker = document.querySelector("[data-progress-end]");
  if (marker && "IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting && document.visibilityState === "visible") {
          endReached = true;
          observer.disconnect();
          report();
        }
      });
    });
    observer.observe(marker);
  }

  if (document.visibilityState === "visible") {
    report(); // opened
  }
  flushQueue();
})();
