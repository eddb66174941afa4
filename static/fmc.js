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
