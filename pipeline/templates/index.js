// govreport index: filter rows by text, sort by a column (click its header).
(function () {
  "use strict";
  var table = document.getElementById("reports");
  var body = table.tBodies[0];
  var filter = document.getElementById("filter");
  var shown = document.getElementById("shown");

  function applyFilter() {
    var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    var n = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var text = row.textContent.toLowerCase();
      var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
      row.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n + " shown";
  }
  filter.addEventListener("input", applyFilter);

  function key(row, col, numeric) {
    var cell = row.cells[col];
    var v = cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent;
    if (numeric) { var x = parseFloat(v); return isNaN(x) ? -Infinity : x; }
    return v;
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    th.tabIndex = 0;
    function sort() {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var numeric = th.dataset.type === "num";
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a, col, numeric), y = key(b, col, numeric);
        var c = numeric ? x - y : String(x).localeCompare(String(y), "zh-Hans-CN");
        return asc ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (ev) { if (ev.key === "Enter") sort(); });
  });
})();
