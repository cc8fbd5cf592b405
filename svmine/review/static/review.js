// svmine review: one-key actions and text selection for adding missed mentions.
// Loaded from the package (no CDN); no inline script, so the page's CSP can forbid it.
(function () {
  "use strict";

  function typingInField(event) {
    var el = event.target;
    return el && (el.tagName === "INPUT" || el.tagName === "SELECT" || el.tagName === "TEXTAREA" || el.isContentEditable);
  }

  function offsetIn(container, node, offset) {
    // Characters of the container's text before (node, offset): textContent equals the page text.
    var range = document.createRange();
    range.selectNodeContents(container);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function selectionIn(container) {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) { return null; }
    var range = sel.getRangeAt(0);
    if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) { return null; }
    var start = offsetIn(container, range.startContainer, range.startOffset);
    var end = offsetIn(container, range.endContainer, range.endOffset);
    var text = range.toString();
    if (!text.trim()) { return null; }
    return { start: start, end: end, text: text };
  }

  function setupAdd() {
    var pre = document.getElementById("pagetext");
    var form = document.getElementById("addform");
    if (!pre || !form) { return; }
    var buttons = form.querySelectorAll("button.addbtn");
    var hint = document.getElementById("selection-hint");
    function refresh() {
      var found = selectionIn(pre);
      form.elements.start.value = found ? found.start : "";
      form.elements.end.value = found ? found.end : "";
      form.elements.text.value = found ? found.text : "";
      buttons.forEach(function (b) { b.disabled = !found; });
      hint.textContent = found
        ? "Add \u201c" + found.text.slice(0, 60) + (found.text.length > 60 ? "\u2026" : "") + "\u201d as:"
        : "Missed a mention? Select it below, then add it as:";
    }
    document.addEventListener("selectionchange", refresh);
    refresh();
  }

  var sent = false;  // one action per page: a held or doubled key must not decide the next item

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat || typingInField(event)) { return; }
    if (sent) { event.preventDefault(); return; }
    var key = event.key.toLowerCase();
    if (key === "escape") { key = "b"; }
    var target = document.querySelector('[data-key="' + key + '"]');
    if (!target || target.disabled) { return; }
    event.preventDefault();
    if (target.tagName === "BUTTON") { sent = true; }
    document.body.classList.add("busy");
    target.click();
  }

  function scrollToMention() {
    // Scroll the page text only: scrollIntoView would also scroll the window and hide the top bar.
    var mark = document.getElementById("current");
    if (!mark || !mark.textContent) { return; }
    var box = mark.closest(".pagetext");
    if (box) {
      box.scrollTop = Math.max(0, mark.offsetTop - box.clientHeight / 2);
    } else {
      mark.scrollIntoView({ block: "center" });
    }
  }

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {  // back from the next page out of the browser's cache: keys work again
      sent = false;
      document.body.classList.remove("busy");
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.addEventListener("keydown", onKey);
    setupAdd();
    scrollToMention();
  });
})();
