// HaloPST as an app: the service worker (offline page, phone notifications) on every page,
// and the "phone notifications" switch where a page offers it (data-push-key: the server's key).
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) { return; }
  var registered = navigator.serviceWorker.register("/sw.js");

  function key(base64url) {
    var raw = atob(base64url.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("push-panel");
    if (!panel || !("PushManager" in window)) { return; }
    var button = panel.querySelector("button");
    var status = panel.querySelector(".push-status");
    var csrf = panel.querySelector("input[name=csrfmiddlewaretoken]").value;
    panel.hidden = false;

    function show(on) {
      button.textContent = on ? panel.dataset.labelOff : panel.dataset.labelOn;
      status.textContent = on ? panel.dataset.stateOn : "";
      button.dataset.on = on ? "yes" : "";
    }

    function send(method, body) {
      return fetch(panel.dataset.url, {
        method: method, credentials: "same-origin", body: JSON.stringify(body),
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf }
      });
    }

    registered.then(function (registration) {
      return registration.pushManager.getSubscription().then(function (current) {
        show(Boolean(current));
        button.addEventListener("click", function () {
          button.disabled = true;
          var done = function () { button.disabled = false; };
          if (button.dataset.on) {
            registration.pushManager.getSubscription().then(function (subscription) {
              if (!subscription) { return show(false); }
              return send("DELETE", { endpoint: subscription.endpoint }).then(function () {
                return subscription.unsubscribe();
              }).then(function () { show(false); });
            }).then(done, done);
            return;
          }
          registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(panel.dataset.pushKey) })
            .then(function (subscription) { return send("POST", subscription.toJSON()); })
            .then(function (response) {
              if (!response.ok) { throw new Error(String(response.status)); }
              show(true);
            })
            .catch(function () { status.textContent = panel.dataset.stateFailed; })
            .then(done);
        });
      });
    });
  });
})();
