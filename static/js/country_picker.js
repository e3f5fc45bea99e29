/* A searchable country picker for a <select multiple data-country-picker>, without a CDN.
   Progressive enhancement: without JavaScript the list itself stays (Ctrl or Cmd chooses
   several). With it, the list is hidden and replaced by a text box (an ARIA 1.2 combobox)
   whose matches show as you type: Up/Down move through them, Enter adds one, Escape closes
   the list, Backspace in the empty box removes the last country chosen. The chosen
   countries are listed as buttons that remove them. The <select> keeps the truth, so the
   form posts exactly as before. The text box takes the select's id, so its <label> and the
   error summary's link lead to it. */
(function () {
  "use strict";
  var MAX_MATCHES = 12;

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text) node.textContent = text;
    return node;
  }

  function normalise(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function enhance(select) {
    var id = select.id;
    var options = Array.prototype.slice.call(select.options);
    var wrapper = el("div", { "class": "country-picker" });
    var chosen = el("ul", { "class": "country-picker-chosen list-unstyled d-flex flex-wrap gap-2 mb-2", "aria-label": "Countries chosen" });
    var status = el("p", { "class": "visually-hidden", "aria-live": "polite" });
    var input = el("input", {
      type: "text", id: id, "class": "form-control" + (select.classList.contains("is-invalid") ? " is-invalid" : ""),
      role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": id + "_matches",
      autocomplete: "off", placeholder: "Type a country's name"
    });
    ["aria-describedby", "aria-invalid"].forEach(function (name) {
      if (select.hasAttribute(name)) input.setAttribute(name, select.getAttribute(name));
    });
    var list = el("ul", { id: id + "_matches", role: "listbox", "class": "country-picker-matches list-group", hidden: "" });
    select.id = id + "_list";
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    wrapper.append(chosen, input, list, status);
    select.after(wrapper);
    var active = -1;
    // The order the countries were chosen in, so that Backspace removes the last one added.
    var order = options.filter(function (option) { return option.selected; });

    function unchoose(option) {
      option.selected = false;
      order = order.filter(function (other) { return other !== option; });
      renderChosen();
      status.textContent = option.text + " removed.";
    }

    function renderChosen() {
      chosen.replaceChildren();
      order.forEach(function (option) {
        var item = el("li");
        var button = el("button", { type: "button", "class": "btn btn-sm btn-outline-secondary", "aria-label": "Remove " + option.text });
        button.textContent = option.text + " \u00d7";
        button.addEventListener("click", function () {
          unchoose(option);
          input.focus();
        });
        item.append(button);
        chosen.append(item);
      });
    }

    function matches() {
      var query = normalise(input.value);
      if (!query) return [];
      var starts = [], contains = [];
      options.forEach(function (option) {
        if (option.selected || !option.value) return;
        var name = normalise(option.text);
        if (name.indexOf(query) === 0) starts.push(option);
        else if (name.indexOf(query) > 0) contains.push(option);
      });
      return starts.concat(contains).slice(0, MAX_MATCHES);
    }

    function close() {
      list.hidden = true;
      list.replaceChildren();
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (item, position) {
        item.setAttribute("aria-selected", position === active ? "true" : "false");
        item.classList.toggle("active", position === active);
      });
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function choose(option) {
      option.selected = true;
      order.push(option);
      input.value = "";
      close();
      renderChosen();
      status.textContent = option.text + " added.";
      input.focus();
    }

    function open() {
      var found = matches();
      list.replaceChildren();
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (!found.length) {
        close();
        if (input.value.trim()) status.textContent = "No country matches.";
        return;
      }
      found.forEach(function (option, index) {
        var item = el("li", { id: id + "_match_" + index, role: "option", "aria-selected": "false", "class": "list-group-item list-group-item-action" }, option.text);
        item.addEventListener("mousedown", function (event) { event.preventDefault(); });
        item.addEventListener("click", function () { choose(option); });
        list.append(item);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      status.textContent = found.length + (found.length === 1 ? " country matches." : " countries match.");
    }

    input.addEventListener("input", open);
    input.addEventListener("blur", close);
    input.addEventListener("keydown", function (event) {
      var items = list.querySelectorAll("[role=option]");
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) open();
        highlight(active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter") {
        if (!list.hidden && items.length) {
          event.preventDefault();  // adding a country does not send the form
          var found = matches();
          choose(found[active >= 0 ? active : 0]);
        } else if (input.value.trim()) {
          event.preventDefault();
        }
      } else if (event.key === "Escape") {
        close();
      } else if (event.key === "Backspace" && !input.value) {
        if (order.length) unchoose(order[order.length - 1]);
      }
    });
    renderChosen();
  }

  document.querySelectorAll("select[multiple][data-country-picker]").forEach(enhance);
})();
