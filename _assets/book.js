/* Local script for the book, loaded on every page through html_js_files in _config.yml.
 * Accessibility fixes for the theme's own buttons (axe-core rule label-content-name-mismatch):
 * - search buttons: their aria-label "Search" hides the visible shortcut text, so drop the label
 *   and let the visible text ("Search Ctrl+K") be the accessible name;
 * - colour-mode button: its icons carry titles ("Light", "Dark", ...) that count as content;
 *   the icons are decorative (the button is named "Color mode"), so hide them from assistive
 *   technology. Font Awesome swaps the <i> icons for <svg> after load, hence the second pass.
 * And for docutils' bibliography (axe-core rule aria-required-children): the citation list has
 * role="list" but its entries have role="doc-biblioentry" (deprecated); make them list items.
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
  document.addEventListener("DOMContentLoaded", fixThemeButtons);
  document.addEventListener("DOMContentLoaded", fixCitationList);
  window.addEventListener("load", fixThemeButtons);
})();
