// The notification bell: one socket per tab to /ws/notifications/ on this satker's host.
// The server sends the unread count from the database on every (re)connect, so a dropped
// connection never leaves a wrong number; new notifications update it live.
(function () {
  "use strict";
  var bell = document.getElementById("bell-count");
  if (!bell || !window.WebSocket) { return; }
  var delay = 1000;

  function show(count) {
    bell.textContent = count > 99 ? "99+" : String(count);
    bell.hidden = count === 0;
    bell.setAttribute("data-count", String(count));
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/notifications/");
    socket.onopen = function () { delay = 1000; };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (typeof message.unread === "number") { show(message.unread); }
      if (message.type === "notification" && message.notification) {
        document.dispatchEvent(new CustomEvent("halopst:notification", { detail: message.notification }));
      }
      if (message.type === "changed") {  // an open page of the user's changed, with nothing to notify
        document.dispatchEvent(new CustomEvent("halopst:changed", { detail: { link: message.link } }));
      }
    };
    socket.onclose = function (event) {
      if (event.code === 4401 || event.code === 4403 || event.code === 4404) { return; }
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
