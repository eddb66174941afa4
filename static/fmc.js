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
// server reports it, then swap in the server-rendered result and the Diagnostics panel's last test and
// netstat lines (the same fragments the page shows without JavaScript). Closing the tab aborts the request, which cancels the probe on the server.
(function () {
  "use strict";
  const form = document.getElementById("proxy-form");
  const button = document.getElementById("test-connection");
  const panel = document.getElementById("probe-panel");
  if (!form || !button || !panel || !window.fetch || !window.TextDecoder) return;

  // The page's language: the server puts every string this script shows on the panel.
  const text = (name, fallback) => panel.getAttribute("data-" + name) || fallback;

  // `said` is the stage's detail in the page's language (the stream's "text"); the
  // stage's own "detail" is the English of the JSON report.
  function stageItem(stage, said) {
    const li = document.createElement("li");
    li.className = "stage " + (stage.ok ? "ok" : "fail");
    li.dataset.stage = stage.name;
    const mark = document.createElement("span");
    mark.className = "mark";
    mark.textContent = stage.ok ? "✓" : "✗";
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = text("title-" + stage.name, stage.name);
    const ms = document.createElement("span");
    ms.className = "ms";
    ms.textContent = stage.elapsed_ms.toFixed(2) + " ms";
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

  function fallBack() {
    // Let the browser post the form to the test route and show the server's page.
    form.dataset.native = "1";
    form.requestSubmit(button);
  }

  button.addEventListener("click", async (event) => {
    if (form.dataset.native === "1") return;
    if (!form.checkValidity()) return; // let the browser show its own messages
    event.preventDefault();
    button.disabled = true;
    const saved = button.textContent;
    button.textContent = text("testing", "Testing…");
    panel.replaceChildren();
    const heading = document.createElement("h3");
    heading.textContent = text("testing-connection", "Testing the connection…");
    // One timeline per target, made when its first stage arrives: the targets are probed
    // at once, so their stages come interleaved, each tagged with its target's index.
    const list = document.createElement("div");
    list.id = "live-stages";
    panel.append(heading, list);
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
    try {
      const response = await fetch(button.formAction, {
        method: "POST",
        headers: { "Accept": "application/x-ndjson", "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
      });
      if (response.status === 422) return fallBack();
      if (!response.ok || !response.body) {
        let message = text("could-not-run", "The test could not run (HTTP {status}).")
          .replace("{status}", String(response.status));
        try { message = (await response.json()).error || message; } catch (_) { /* not JSON */ }
        heading.textContent = message;
        return;
      }
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
          if (message.event === "stage") timelineFor(message).append(stageItem(message.stage, message.text));
          if (message.event === "done") {
            panel.innerHTML = message.html;
            showDiagnostics(message.diagnostics);
          }
        }
      }
    } catch (error) {
      heading.textContent = text("interrupted", "The test was interrupted: ") + error.message;
    } finally {
      button.disabled = false;
      button.textContent = saved;
    }
  });
})();
