/* Local script for the book, loaded on every page through html_js_files in _config.yml.
 * Accessibility fixes for the theme's own buttons (axe-core rule label-content-name-mismatch):
 * - search buttons: their aria-label "Search" hides the visible shortcut text, so drop the label
 *   and let the visible text ("Search Ctrl+K") be the accessible name;
 * - colour-mode button: its icons carry titles ("Light", "Dark", ...) that count as content;
 *   the icons are decorative (the button is named "Color mode"), so hide them from assistive
 *   technology. Font Awesome swaps the <i> icons for <svg> after load, hence the second pass.
 * And for docutils' bibliography (axe-core rule aria-required-children): the citation list has
 * role="list" but its entries have role="doc-biblioentry" (deprecated); make them list items.
 * And for tables with a column of sentences that also name columns or indicators
 * (inclusive_small_micro_loan_balance): a long identifier in a cell may break after its underscores
 * (<wbr>, which copying leaves out), so that it does not squeeze the sentences into a word a line.
 * Tables of short values are left alone: there the identifiers fit on one line.
 */
(function () {
  function fixThemeButtons() {
    document.querySelectorAll(".search-button-field[aria-label]").forEach(function (button) {
      button.removeAttribute("aria-label");
      button.setAttribute("aria-keyshortcuts", "Control+K");
    });
    document.querySelectorAll(".theme-switch-button > *").forEach(function (icon) {
      icon.setAttribute("aria-hidden", "true");
      icon.removeAttribute("title");
      icon.removeAttribute("role");
      icon.removeAttribute("aria-labelledby");
      icon.querySelectorAll("title").forEach(function (t) { t.remove(); });
    });
  }
  function fixCitationList() {
    document.querySelectorAll('.citation-list[role="list"] > [role="doc-biblioentry"]').forEach(function (entry) {
      entry.setAttribute("role", "listitem");
    });
  }
  function breakLongIdentifiersInTables() {
    var withSentences = Array.prototype.filter.call(document.querySelectorAll("table"), function (table) {
      return Array.prototype.some.call(table.querySelectorAll("td"), function (td) {
        return td.textContent.length > 80;
      });
    });
    withSentences.forEach(function (table) { table.querySelectorAll("td code").forEach(function (code) {
      if (code.textContent.length < 20) return;
      var walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT), texts = [];
      while (walker.nextNode()) texts.push(walker.currentNode);
      texts.forEach(function (text) {
        var parts = text.nodeValue.split("_");
        if (parts.length < 2) return;
        var fragment = document.createDocumentFragment();
        parts.forEach(function (part, i) {
          fragment.append(part + (i < parts.length - 1 ? "_" : ""));
          if (i < parts.length - 1) fragment.append(document.createElement("wbr"));
        });
        text.replaceWith(fragment);
      });
    }); });
  }
  document.addEventListener("DOMContentLoaded", breakLongIdentifiersInTables);
  document.addEventListener("DOMContentLoaded", fixThemeButtons);
  document.addEventListener("DOMContentLoaded", fixCitationList);
  window.addEventListener("load", fixThemeButtons);
})();
