// Progressive enhancement for the Proxy form. The page works without this file; with it,
// the checkboxes make their fields read-only (values kept, still submitted) and the
// browser's own checks follow what the server will require.
(function () {
  "use strict";
  const form = document.getElementById("proxy-form");
  if (!form) return;
  const enabled = form.querySelector("#enabled");
  const useAuth = form.querySelector("#use_auth");
  const proxyInputs = ["host", "port", "username", "password", "confirm_password"].map((id) => form.querySelector("#" + id));
  const authInputs = ["username"].map((id) => form.querySelector("#" + id));
  const passwordSet = form.dataset.passwordSet === "true";

  function sync() {
    const on = enabled.checked;
    for (const input of proxyInputs) {
      input.readOnly = !on;
      input.setAttribute("aria-disabled", String(!on));
    }
    // A checkbox cannot be read-only; when the proxy is off it is locked by the click guard.
    useAuth.setAttribute("aria-disabled", String(!on));
    form.querySelector("#host").required = on;
    form.querySelector("#port").required = on;
    const needAuth = on && useAuth.checked;
    for (const input of authInputs) input.required = needAuth;
    form.querySelector("#password").required = needAuth && !passwordSet;
  }

  useAuth.addEventListener("click", (e) => { if (!enabled.checked) e.preventDefault(); });
  enabled.addEventListener("change", sync);
  useAuth.addEventListener("change", sync);
  sync();
})();

// A page opened at the error summary or at a test's result (the address a test without
// JavaScript redirects to) gives it focus, so the keyboard and a screen reader start there.
(function () {
  "use strict";
  const target = { "#error-summary": "error-summary", "#test-result": "test-result-h" }[window.location.hash];
  const element = target && document.getElementById(target);
  if (element) element.focus();
})();

// Trusted CA for the probe: a file picker that reads a .pem/.crt into the textarea, which
// is what the form posts (without JavaScript the picker stays hidden: paste the text).
(function () {
  "use strict";
  const row = document.getElementById("ca-file-row");
  const picker = document.getElementById("ca_file");
  const area = document.getElementById("ca_pem");
  if (!row || !picker || !area) return;
  row.hidden = false;
  picker.addEventListener("change", async () => {
    for (const file of picker.files) {
      const text = await file.text();
      area.value = area.value.trim() ? area.value.trimEnd() + "\n" + text : text;
    }
    picker.value = "";
    area.focus();
  });
})();

// Test connection, live: post the form's values and draw each stage of each target as the
// server reports it, with the stage in progress and its running time, then swap in the
// server-rendered result and the Diagnostics panel's last test and netstat lines (the same
// fragments the page shows without JavaScript) and move focus to the result's heading.
// Cancel (or closing the tab) aborts the request, which cancels the probe on the server.
(function () {
  "use strict";
  const form = document.getElementById("proxy-form");
  const button = document.getElementById("test-connection");
  const panel = document.getElementById("probe-panel");
  if (!form || !button || !panel || !window.fetch || !window.TextDecoder || !window.AbortController) return;

  // The page's language: the server puts every string this script shows on the panel.
  const text = (name, fallback) => panel.getAttribute("data-" + name) || fallback;

  // As the server says durations (src/probe/text.rs `duration`): from one second up in
  // seconds with one decimal, below in milliseconds with at most one.
  function duration(ms) {
    const tenths = Math.round(Math.max(0, ms) * 10) / 10;
    if (tenths >= 1000) return (ms / 1000).toFixed(1) + " s";
    return (Number.isInteger(tenths) ? String(tenths) : tenths.toFixed(1)) + " ms";
  }

  // The stages in the order a probe runs them, to say which one is in progress.
  const ORDER = ["resolve", "tcp_connect", "connect", "tls_handshake", "https_request", "large_request", "close"];
  function nextStage(done, url) {
    const plain = (url || "").startsWith("http://");
    const order = plain ? ORDER.filter((s) => !["tls_handshake", "https_request", "large_request"].includes(s)) : ORDER;
    const i = done ? order.indexOf(done) : -1;
    return order[Math.min(i + 1, order.length - 1)];
  }

  // `said` is the stage's detail in the page's language (the stream's "text"); the
  // stage's own "detail" is the English of the JSON report.
  function stageItem(stage, said, skipped) {
    const li = document.createElement("li");
    li.className = "stage " + (stage.ok ? "ok" : "fail") + (skipped ? " skipped" : "");
    li.dataset.stage = stage.name;
    const mark = document.createElement("span");
    mark.className = "mark";
    mark.setAttribute("aria-hidden", "true");
    mark.textContent = skipped ? "–" : stage.ok ? "✓" : "✗";
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = text("title-" + stage.name, stage.name);
    if (skipped) {
      const hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " " + text("skipped", "skipped");
      name.append(hidden);
    }
    const ms = document.createElement("span");
    ms.className = "ms";
    ms.textContent = duration(stage.elapsed_ms);
    const detail = document.createElement("span");
    detail.className = "detail";
    detail.textContent = said || stage.detail;
    li.append(mark, name, ms, detail);
    return li;
  }

  // The Diagnostics panel's last test and netstat lines, as the server read them after
  // this test (the same fragment a reload shows), replace the stale ones.
  function showDiagnostics(html) {
    const stale = document.getElementById("diagnostics-live");
    if (stale && html) stale.outerHTML = html;
  }

  // Field errors from the server, in place: each message beside its field, the summary
  // above the form (as the page without JavaScript shows them), and focus on the summary.
  function clearErrors() {
    for (const p of form.querySelectorAll("p.error")) p.remove();
    for (const input of form.querySelectorAll("[aria-invalid]")) {
      input.removeAttribute("aria-invalid");
      const ids = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && !id.endsWith("-error"));
      if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
      else input.removeAttribute("aria-describedby");
      const row = input.closest(".row");
      if (row) row.classList.remove("invalid");
    }
    const summary = document.getElementById("error-summary");
    if (summary) summary.remove();
  }

  function showErrors(body) {
    clearErrors();
    for (const [id, message] of Object.entries(body.fields || {})) {
      const input = form.querySelector("#" + CSS.escape(id));
      if (!input) continue;
      const p = document.createElement("p");
      p.className = "error";
      p.id = id + "-error";
      p.textContent = message;
      (input.closest(".control") || input.parentElement).append(p);
      input.setAttribute("aria-invalid", "true");
      const ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      input.setAttribute("aria-describedby", ids.concat(p.id).join(" "));
      const row = input.closest(".row");
      if (row) row.classList.add("invalid");
    }
    if (body.summary) {
      form.insertAdjacentHTML("beforebegin", body.summary);
      const summary = document.getElementById("error-summary");
      if (summary) summary.focus();
    }
  }

  button.addEventListener("click", async (event) => {
    if (!form.checkValidity()) return; // let the browser show its own messages
    event.preventDefault();
    button.disabled = true;
    const saved = button.textContent;
    button.textContent = text("testing", "Testing…");
    panel.replaceChildren();
    const heading = document.createElement("h3");
    heading.id = "test-live-h";
    heading.tabIndex = -1;
    heading.textContent = text("testing-connection", "Testing the connection…");
    // The stage in progress and its running time; not announced (it changes ten times a
    // second), the stages are.
    const progress = document.createElement("p");
    progress.id = "test-progress";
    progress.className = "test-progress";
    progress.setAttribute("aria-live", "off");
    const controller = new AbortController();
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.id = "test-cancel";
    cancel.textContent = text("cancel", "Cancel");
    cancel.addEventListener("click", () => controller.abort());
    // One timeline per target, made when its first stage arrives: the targets are probed
    // at once, so their stages come interleaved, each tagged with its target's index.
    const list = document.createElement("div");
    list.id = "live-stages";
    panel.append(heading, progress, cancel, list);
    let doing = nextStage(null, "");
    let since = performance.now();
    const tick = () => {
      progress.textContent = text("doing-" + doing, doing) + " " + duration(performance.now() - since);
    };
    tick();
    const timer = window.setInterval(tick, 100);
    const timelines = new Map();
    const timelineFor = (message) => {
      const index = message.target || 0;
      let timeline = timelines.get(index);
      if (!timeline) {
        const section = document.createElement("section");
        section.className = "live-target";
        const url = document.createElement("h4");
        url.className = "target-url";
        url.textContent = message.url || "";
        timeline = document.createElement("ol");
        timeline.className = "timeline live";
        timeline.dataset.target = String(index);
        section.append(url, timeline);
        list.append(section);
        timelines.set(index, timeline);
      }
      return timeline;
    };
    let finished = false;
    try {
      const response = await fetch(button.formAction, {
        method: "POST",
        headers: { "Accept": "application/x-ndjson", "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
        signal: controller.signal,
      });
      if (response.status === 422) {
        panel.replaceChildren();
        let body = {};
        try { body = await response.json(); } catch (_) { /* not JSON */ }
        showErrors(body);
        finished = true;
        return;
      }
      if (!response.ok || !response.body) {
        let message = text("could-not-run", "The test could not run (HTTP {status}).")
          .replace("{status}", String(response.status));
        try { message = (await response.json()).error || message; } catch (_) { /* not JSON */ }
        heading.textContent = message;
        return;
      }
      clearErrors();
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffered = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += decoder.decode(value, { stream: true });
        let newline;
        while ((newline = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (!line) continue;
          const message = JSON.parse(line);
          if (message.event === "stage") {
            timelineFor(message).append(stageItem(message.stage, message.text, message.skipped));
            doing = nextStage(message.stage.name, message.url);
            since = performance.now();
            tick();
          }
          if (message.event === "done") {
            window.clearInterval(timer);
            panel.innerHTML = message.html;
            showDiagnostics(message.diagnostics);
            finished = true;
          }
        }
      }
    } catch (error) {
      heading.textContent = controller.signal.aborted
        ? text("cancelled", "The test was cancelled.")
        : text("interrupted", "The test was interrupted: ") + error.message;
    } finally {
      window.clearInterval(timer);
      progress.remove();
      cancel.remove();
      button.disabled = false;
      button.textContent = saved;
      // Focus follows the answer: the result's heading, the error summary (focused
      // above), or the line that says why there is no result.
      const result = document.getElementById("test-result-h");
      if (result) result.focus();
      else if (!finished) heading.focus();
    }
  });
})();
