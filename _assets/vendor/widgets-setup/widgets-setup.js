/* Runs between require.js and @jupyter-widgets/html-manager's embed-amd.js on pages that embed
 * widget state (listed in nb_ipywidgets_js in _config.yml). Written for this book, not vendored.
 *
 * 1. Fonts: embed-amd.js computes its webpack public path from the require.js module URL, which
 *    by default is relative to the page ("book/@jupyter-widgets/..."), so its icon fonts 404.
 *    Map the module names onto the vendored dist/ folder beside this file.
 * 2. MathJax: the widget manager typesets labels with the MathJax 2 call MathJax.Hub.Queue; the book
 *    loads MathJax 3, which has no Hub. Give it a small Hub.Queue that calls MathJax 3's typesetPromise.
 * 3. Accessibility of the rendered widgets (axe-core): slider handles get the slider's visible
 *    label as their accessible name (aria-input-field-name), and figures stored in an Output widget,
 *    which carry no alt text, get a generic one (image-alt).
 */
(function () {
  var here = document.currentScript ? document.currentScript.src : window.location.href;
  var dist = new URL("../html-manager-1.0.15/dist", here).href;
  window.requirejs.config({
    paths: {
      "@jupyter-widgets/html-manager/dist": dist,
      "@jupyter-widgets": dist
    }
  });
  function shimMathJax2Hub() {
    var mj = window.MathJax;
    if (!mj || mj.Hub || !mj.startup) return;
    mj.Hub = {
      Queue: function (job) {
        var element = job && job[2];
        mj.startup.promise.then(function () {
          return element ? mj.typesetPromise([element]) : mj.typesetPromise();
        });
      }
    };
  }
  function labelWidgets(root) {
    root.querySelectorAll(".widget-slider, .jupyter-widget-slider, .widget-hslider, .widget-vslider").forEach(function (slider) {
      var label = slider.querySelector(".widget-label");
      var text = label ? label.textContent.trim() : "";
      slider.querySelectorAll("[role=slider]:not([aria-label]):not([aria-labelledby])").forEach(function (handle) {
        handle.setAttribute("aria-label", text || "slider");
      });
    });
    root.querySelectorAll(".widget-output img:not([alt])").forEach(function (img) {
      img.setAttribute("alt", "Figure drawn by the interactive widget at its stored setting; "
        + "run the notebook to change it");
    });
  }
  // MathJax (loaded with defer) has run by DOMContentLoaded; widgets render on window load.
  document.addEventListener("DOMContentLoaded", function () {
    shimMathJax2Hub();
    new MutationObserver(function () { labelWidgets(document); })
      .observe(document.body, { childList: true, subtree: true });
  });
})();
