// govreport review page: clicking a number or a finding shows its details.
// Everything shown comes from the JSON block of this page and is set with
// textContent, never innerHTML, so report text can never become markup.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("govreport-data").textContent);
  var detail = document.getElementById("detail");
  var focused = [];

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function clearFocus() {
    focused.forEach(function (e) { e.classList.remove("focus"); });
    focused = [];
  }
  function focus(e) { if (e) { e.classList.add("focus"); focused.push(e); } }
  function show(v) { return v === null || v === undefined || v === "" ? "—" : String(v); }
  function valueText(ind) {
    var v = show(ind.value);
    if (ind.value_high !== null && ind.value_high !== undefined) v += "–" + ind.value_high;
    return v + " " + show(ind.unit);
  }
  function rows(dl, pairs) {
    pairs.forEach(function (p) { dl.appendChild(el("dt", null, p[0])); dl.appendChild(el("dd", null, show(p[1]))); });
  }
  function indLink(i) {
    var ind = data.indicators[i];
    var a = el("a", "ind-link", "#" + i + (ind ? " " + ind.text : ""));
    a.href = "#ind-" + i;
    a.dataset.i = i;
    return a;
  }
  function reset(title) {
    detail.textContent = "";
    detail.appendChild(el("h2", null, title));
  }

  function showIndicator(i, scroll) {
    var ind = data.indicators[i];
    if (!ind) return;
    clearFocus();
    var mark = document.getElementById("ind-" + i);
    document.querySelectorAll('mark.ind[data-i="' + i + '"]').forEach(focus);
    if (scroll && mark) mark.scrollIntoView({block: "center"});
    reset("Indicator #" + i);
    var dl = el("dl");
    rows(dl, [["id", ind.indicator], ["label", ind.label], ["value", valueText(ind)], ["unit class", ind.unit_class],
              ["qualifier", ind.qualifier], ["measure", ind.measure], ["modality", ind.modality],
              ["actor", ind.actor], ["section", ind.section_id], ["part", ind.part], ["page", ind.page],
              ["rule", ind.rule], ["text", ind.text], ["span", ind.span ? ind.span.join("–") : null]]);
    detail.appendChild(dl);
    if (ind.sentence) detail.appendChild(el("p", "sentence", ind.sentence));
    var mine = [];
    data.findings.forEach(function (f, k) { if ((f.indicators || []).indexOf(i) >= 0) mine.push(k); });
    if (mine.length) {
      detail.appendChild(el("h2", null, "Findings on it"));
      mine.forEach(function (k) {
        var f = data.findings[k];
        var p = el("p", "finding-ref");
        p.appendChild(el("span", "sev sev-" + f.severity, f.severity));
        var a = el("a", null, f.message);
        a.href = "#finding-" + k;
        a.dataset.f = k;
        p.appendChild(a);
        detail.appendChild(p);
      });
    }
  }

  function showFinding(k, scroll) {
    var f = data.findings[k];
    if (!f) return;
    clearFocus();
    focus(document.getElementById("finding-" + k));
    var targets = [];
    (f.indicators || []).forEach(function (i) {
      document.querySelectorAll('mark.ind[data-i="' + i + '"]').forEach(function (m) { focus(m); targets.push(m); });
    });
    document.querySelectorAll('.evidence[data-f="' + k + '"]').forEach(function (e) { focus(e); targets.push(e); });
    if (scroll && targets.length) targets[0].scrollIntoView({block: "center"});
    reset("Finding");
    var p = el("p");
    p.appendChild(el("span", "sev sev-" + f.severity, f.severity));
    p.appendChild(el("span", "check", f.check));
    detail.appendChild(p);
    detail.appendChild(el("p", "message", f.message));
    if ((f.indicators || []).length) {
      var q = el("p", "links");
      q.appendChild(el("span", null, "indicators: "));
      f.indicators.forEach(function (i) { q.appendChild(indLink(i)); q.appendChild(document.createTextNode(" ")); });
      detail.appendChild(q);
    }
    if (f.evidence_text && f.evidence_text.length) {
      detail.appendChild(el("h2", null, "Evidence"));
      f.evidence_text.forEach(function (t) { detail.appendChild(el("p", "sentence", t)); });
    }
  }

  document.addEventListener("click", function (ev) {
    var t = ev.target;
    var link = t.closest("a[data-i]");
    if (link) { ev.preventDefault(); showIndicator(Number(link.dataset.i), true); return; }
    var flink = t.closest("a[data-f]");
    if (flink) { ev.preventDefault(); showFinding(Number(flink.dataset.f), true); return; }
    var mark = t.closest("mark.ind");
    if (mark) { showIndicator(Number(mark.dataset.i), false); return; }
    var ev2 = t.closest(".evidence[data-f]");
    if (ev2) { showFinding(Number(ev2.dataset.f), false); return; }
    var fi = t.closest(".finding");
    if (fi) { showFinding(Number(fi.dataset.f), true); }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter" && ev.key !== " ") return;
    var mark = ev.target.closest && ev.target.closest("mark.ind");
    if (mark) { ev.preventDefault(); showIndicator(Number(mark.dataset.i), false); }
  });
  var toggle = document.getElementById("toggle-muted");
  toggle.addEventListener("change", function () { document.body.classList.toggle("show-muted", toggle.checked); });

  // A link like page.html#ind-3 opens with that indicator shown.
  var m = /^#ind-(\d+)$/.exec(location.hash);
  if (m) showIndicator(Number(m[1]), true);
  var n = /^#finding-(\d+)$/.exec(location.hash);
  if (n) showFinding(Number(n[1]), true);
})();
