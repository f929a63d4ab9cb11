/* Mounts the book's live explorers on the published page, with no kernel and nothing fetched.
 * Written for this book (listed in nb_ipywidgets_js in _config.yml, so only pages that store
 * widget state load it). Why not the ipywidgets HTML manager: src/smecredit/static/README.md.
 *
 * myst-nb writes each notebook's widget state into the page (one
 * <script type="application/vnd.jupyter.widget-state+json">) and, where a cell displayed a widget,
 * a <script type="application/vnd.jupyter.widget-view+json"> naming its model. For every such view
 * of an anywidget model, this script decodes the model's stored state (its binary buffers arrive
 * base64-encoded), imports the model's own ES module (the `_esm` text stored with it), adds its
 * `_css` once, and calls the module's `render` with a minimal model: get, set, on, off;
 * save_changes and send do nothing, since no kernel listens.
 */
(function () {
  "use strict";
  var STATE_TYPE = "application/vnd.jupyter.widget-state+json";
  var VIEW_TYPE = "application/vnd.jupyter.widget-view+json";

  function decodeBase64(text) {
    var binary = atob(text);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new DataView(bytes.buffer);
  }

  function modelFor(stored) {
    var values = Object.assign({}, stored.state);
    (stored.buffers || []).forEach(function (buffer) {
      var target = values;
      var path = buffer.path;
      for (var i = 0; i < path.length - 1; i++) target = target[path[i]];
      target[path[path.length - 1]] = decodeBase64(buffer.data);
    });
    var listeners = {};
    return {
      get: function (name) { return values[name]; },
      set: function (name, value) {
        values[name] = value;
        (listeners["change:" + name] || []).slice().forEach(function (callback) { callback(); });
      },
      on: function (event, callback) { (listeners[event] = listeners[event] || []).push(callback); },
      off: function (event, callback) {
        if (!event) { listeners = {}; return; }
        listeners[event] = (listeners[event] || []).filter(function (c) { return callback && c !== callback; });
      },
      save_changes: function () {},
      send: function () {},
      widget_manager: {}
    };
  }

  var modules = {};
  function importModule(source) {
    if (!modules[source]) {
      var url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
      modules[source] = import(url);
    }
    return modules[source];
  }

  var styles = {};
  function addStyle(css) {
    if (!css || styles[css]) return;
    styles[css] = true;
    var style = document.createElement("style");
    style.textContent = css;
    document.head.appendChild(style);
  }

  function explain(host, message) {
    var note = document.createElement("p");
    note.className = "smecredit-widget-note";
    note.textContent = message;
    host.appendChild(note);
  }

  async function mountOne(view, state) {
    var modelId = JSON.parse(view.textContent).model_id;
    var stored = state[modelId];
    var host = document.createElement("div");
    host.className = "smecredit-widget-host";
    view.parentNode.insertBefore(host, view.nextSibling);
    if (!stored || stored.model_name !== "AnyModel" || typeof stored.state._esm !== "string") {
      explain(host, "This interactive output needs a running notebook; the figure above shows it.");
      return;
    }
    try {
      addStyle(stored.state._css);
      var module = await importModule(stored.state._esm);
      var widget = module.default;
      if (typeof widget === "function") widget = await widget();
      var model = modelFor(stored);
      if (widget.initialize) await widget.initialize({ model: model });
      await widget.render({ model: model, el: host });
    } catch (error) {
      console.warn("smecredit: could not start an explorer:", error);
      explain(host, "The explorer could not start in this browser; the figure above shows it at its starting point.");
    }
  }

  function mountAll() {
    var stateScript = document.querySelector('script[type="' + STATE_TYPE + '"]');
    if (!stateScript) return;
    var state = JSON.parse(stateScript.textContent).state || {};
    document.querySelectorAll('script[type="' + VIEW_TYPE + '"]').forEach(function (view) {
      mountOne(view, state);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
