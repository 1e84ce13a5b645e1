// The command centre: one socket to /ws/pusat-komando/ on the portal. The server sends a
// satker's fresh row whenever something happens there; this updates that row's cells in place.
(function () {
  "use strict";
  var table = document.getElementById("live-table");
  if (!table || !window.WebSocket) { return; }
  var status = document.getElementById("live-status");
  var delay = 1000;

  function update(row) {
    var line = table.querySelector('tr[data-code="' + row.code + '"]');
    if (!line) { return; }
    line.querySelectorAll("[data-field]").forEach(function (cell) {
      var value = row[cell.getAttribute("data-field")];
      cell.textContent = value === null || value === undefined ? "–" : String(value);
    });
    line.classList.remove("updated");
    void line.offsetWidth;  // restart the highlight animation
    line.classList.add("updated");
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/pusat-komando/");
    socket.onopen = function () { delay = 1000; status.dataset.state = "live"; status.textContent = status.dataset.live; };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === "row") { update(message.row); }
    };
    socket.onclose = function (event) {
      status.dataset.state = "offline";
      status.textContent = status.dataset.offline;
      if (event.code === 4401 || event.code === 4403 || event.code === 4404) { return; }
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
