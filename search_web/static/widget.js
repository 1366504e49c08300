/*
 * govsearch widget: our document search inside another site's page.
 *
 *   <script src="https://search.example/widget.js" defer></script>
 *   <div data-govsearch data-endpoint="https://search.example" data-placeholder="搜索政策文件"></div>
 *
 * No framework, no outside files: it talks to our JSON API (/api/v1) and loads
 * /widget.css into its own shadow root, so its styles never leak into the host page
 * and the host's styles do not break it. Theme it from the host page with CSS custom
 * properties on the element (see docs/embedding.md): --govsearch-accent and friends.
 *
 * Safety: titles and metadata are inserted as text; snippets are HTML from our API,
 * which escapes the document text and adds only <mark>; they are still parsed inert
 * and rebuilt keeping nothing but text and <mark>.
 *
 * Options (data-* attributes): endpoint, placeholder, page-size, query (search at
 * once), link-target (default _blank). window.GovSearch.init(element) starts a widget
 * on an element added later.
 */
(function () {
  "use strict";

  var VERSION = "1";
  var SUGGEST_DELAY_MS = 200;
  var SUGGEST_LIMIT = 8;
  var FACET_VALUES_SHOWN = 8;
  var FACETS = [
    ["issuer", "发文机关"],
    ["doc_type", "文种"],
    ["topic", "主题分类"],
    ["year", "年份"],
    ["region", "地区"],
    ["validity", "有效性"]
  ];

  // the script's own base URL is the default endpoint (works under a sub-path too)
  var SCRIPT = document.currentScript;
  var SCRIPT_BASE = SCRIPT && SCRIPT.src ? SCRIPT.src.replace(/\/widget\.js(?:[?#].*)?$/, "") : "";
  var counter = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        if (attrs[name] === null || attrs[name] === undefined || attrs[name] === false) return;
        if (name === "className") node.className = attrs[name];
        else node.setAttribute(name, attrs[name] === true ? "" : String(attrs[name]));
      });
    }
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // Rebuild API HTML keeping only text and <mark>: parsed in an inert <template>,
  // so nothing in it can run or load, whatever it holds.
  function appendMarked(target, html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = html || "";
    copySafe(tpl.content, target);
  }

  function copySafe(from, to) {
    Array.prototype.forEach.call(from.childNodes, function (node) {
      if (node.nodeType === 3) {
        to.appendChild(document.createTextNode(node.nodeValue));
      } else if (node.nodeType === 1) {
        if (node.nodeName === "MARK") {
          var mark = document.createElement("mark");
          copySafe(node, mark);
          to.appendChild(mark);
        } else {
          copySafe(node, to);
        }
      }
    });
  }

  function safeUrl(value) {
    // only http(s) links from the API are followed
    try {
      var url = new URL(value, window.location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function ApiError(message, status) {
    this.message = message;
    this.status = status;
  }

  function Widget(host, options) {
    this.host = host;
    this.id = "gs" + ++counter;
    var data = host.dataset;
    options = options || {};
    this.endpoint = (options.endpoint || data.endpoint || SCRIPT_BASE || window.location.origin).replace(/\/+$/, "");
    this.placeholder = options.placeholder || data.placeholder || "搜索政策文件、发文字号……";
    this.pageSize = parseInt(options.pageSize || data.pageSize, 10) || 10;
    this.linkTarget = options.linkTarget || data.linkTarget || "_blank";
    this.state = { q: "", filters: {}, page: 1 };
    this.suggestions = [];
    this.active = -1;
    this.suggestTimer = null;
    this.suggestAbort = null;
    this.searchAbort = null;
    this.build();
    var initial = options.query || data.query || "";
    if (initial) {
      this.input.value = initial;
      this.search(initial, 1);
    }
  }

  Widget.prototype.build = function () {
    var self = this;
    var id = this.id;
    var shadow = this.host.shadowRoot || this.host.attachShadow({ mode: "open" });
    while (shadow.firstChild) shadow.removeChild(shadow.firstChild);

    var root = el("div", { className: "gs", lang: "zh-CN", part: "container", hidden: true });
    var sheet = el("link", { rel: "stylesheet", href: this.endpoint + "/widget.css" });
    // show the widget once its stylesheet is in (or failed), not unstyled before
    sheet.addEventListener("load", function () { root.hidden = false; });
    sheet.addEventListener("error", function () { root.hidden = false; });
    shadow.appendChild(sheet);
    shadow.appendChild(root);

    var form = el("form", { className: "gs-form", role: "search", "aria-label": "政务公开文件检索" });
    var combo = el("div", { className: "gs-combo" });
    var label = el("label", { className: "gs-sr", "for": id + "-input" }, "检索关键词");
    this.input = el("input", {
      id: id + "-input",
      className: "gs-input",
      type: "search",
      role: "combobox",
      "aria-autocomplete": "list",
      "aria-expanded": "false",
      "aria-controls": id + "-listbox",
      autocomplete: "off",
      spellcheck: "false",
      enterkeyhint: "search",
      placeholder: this.placeholder
    });
    this.listbox = el("ul", { id: id + "-listbox", className: "gs-suggestions", role: "listbox", "aria-label": "搜索建议", hidden: true });
    combo.appendChild(label);
    combo.appendChild(this.input);
    combo.appendChild(this.listbox);
    var button = el("button", { type: "submit", className: "gs-button" }, "搜索");
    form.appendChild(combo);
    form.appendChild(button);

    this.status = el("div", { className: "gs-status", role: "status", "aria-live": "polite" });
    this.notice = el("div", { className: "gs-notice" });
    var body = el("div", { className: "gs-body" });
    this.facetsBox = el("div", { className: "gs-facets", role: "region", "aria-label": "筛选条件" });
    var main = el("div", { className: "gs-main" });
    this.results = el("ol", { className: "gs-results", "aria-label": "检索结果" });
    this.pager = el("nav", { className: "gs-pager", "aria-label": "分页" });
    main.appendChild(this.results);
    main.appendChild(this.pager);
    body.appendChild(this.facetsBox);
    body.appendChild(main);
    root.appendChild(form);
    root.appendChild(this.status);
    root.appendChild(this.notice);
    root.appendChild(body);
    this.root = root;

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.closeSuggestions();
      self.state.filters = {};
      self.search(self.input.value, 1);
    });
    this.input.addEventListener("input", function () { self.scheduleSuggest(); });
    this.input.addEventListener("keydown", function (event) { self.onKey(event); });
    this.input.addEventListener("blur", function () {
      // a click on an option keeps focus (mousedown is cancelled), so blur means leave
      self.closeSuggestions();
    });
  };

  // ------------------------------------------------------------------ API
  Widget.prototype.get = function (path, params, signal) {
    var query = new URLSearchParams();
    Object.keys(params).forEach(function (name) {
      var value = params[name];
      (Array.isArray(value) ? value : [value]).forEach(function (v) {
        if (v !== undefined && v !== null && v !== "") query.append(name, String(v));
      });
    });
    var url = this.endpoint + "/api/v1/" + path + "?" + query.toString();
    // a simple GET (no custom headers, no cookies): no CORS preflight needed
    return fetch(url, { signal: signal, credentials: "omit", mode: "cors" }).then(
      function (response) {
        return response.json().then(
          function (body) {
            if (response.ok) return body;
            var message = (body && body.message) || "检索服务出错（" + response.status + "）";
            if (response.status === 429) {
              var wait = response.headers.get("Retry-After");
              message = "请求过于频繁，请" + (wait ? " " + wait + " 秒后" : "稍后") + "再试。";
            }
            throw new ApiError(message, response.status);
          },
          function () {
            throw new ApiError("检索服务返回了无法识别的内容（" + response.status + "）", response.status);
          }
        );
      },
      function (error) {
        if (error && error.name === "AbortError") throw error;
        // a network failure, or a page whose origin the server does not allow (CORS)
        throw new ApiError("无法连接检索服务，请稍后再试。", 0);
      }
    );
  };

  // ------------------------------------------------------------------ suggestions
  Widget.prototype.scheduleSuggest = function () {
    var self = this;
    clearTimeout(this.suggestTimer);
    var text = this.input.value.trim();
    if (!text) {
      this.closeSuggestions();
      return;
    }
    this.suggestTimer = setTimeout(function () { self.fetchSuggestions(text); }, SUGGEST_DELAY_MS);
  };

  Widget.prototype.fetchSuggestions = function (text) {
    var self = this;
    if (this.suggestAbort) this.suggestAbort.abort();
    this.suggestAbort = new AbortController();
    this.get("suggest", { q: text, limit: SUGGEST_LIMIT }, this.suggestAbort.signal).then(
      function (body) {
        if (self.input.value.trim() !== text) return; // typed on meanwhile
        self.showSuggestions(body.suggestions || []);
      },
      function () { self.closeSuggestions(); } // suggestions are optional: stay quiet
    );
  };

  Widget.prototype.showSuggestions = function (items) {
    var self = this;
    this.suggestions = items;
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    this.listbox.textContent = "";
    if (!items.length || this.host.shadowRoot.activeElement !== this.input) {
      this.closeSuggestions();
      return;
    }
    items.forEach(function (text, index) {
      var option = el("li", { id: self.id + "-opt-" + index, className: "gs-option", role: "option", "aria-selected": "false" }, text);
      option.addEventListener("mousedown", function (event) { event.preventDefault(); });
      option.addEventListener("click", function () { self.choose(index); });
      self.listbox.appendChild(option);
    });
    this.listbox.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  };

  Widget.prototype.closeSuggestions = function () {
    clearTimeout(this.suggestTimer);
    this.listbox.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.active = -1;
  };

  Widget.prototype.isOpen = function () {
    return !this.listbox.hidden && this.suggestions.length > 0;
  };

  Widget.prototype.setActive = function (index) {
    var options = this.listbox.querySelectorAll("[role=option]");
    if (!options.length) return;
    this.active = (index + options.length) % options.length;
    for (var i = 0; i < options.length; i++) {
      var selected = i === this.active;
      options[i].setAttribute("aria-selected", selected ? "true" : "false");
      options[i].classList.toggle("gs-option-active", selected);
    }
    this.input.setAttribute("aria-activedescendant", options[this.active].id);
    options[this.active].scrollIntoView({ block: "nearest" });
  };

  Widget.prototype.choose = function (index) {
    var text = this.suggestions[index];
    if (text === undefined) return;
    this.input.value = text;
    this.closeSuggestions();
    this.state.filters = {};
    this.search(text, 1);
  };

  Widget.prototype.onKey = function (event) {
    var open = this.isOpen();
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        if (!open && this.suggestions.length) this.showSuggestions(this.suggestions);
        this.setActive(this.active + 1);
        break;
      case "ArrowUp":
        if (!open) return;
        event.preventDefault();
        this.setActive(this.active - 1);
        break;
      case "Enter":
        if (open && this.active >= 0) {
          event.preventDefault();
          this.choose(this.active);
        }
        break;
      case "Escape":
        if (open) {
          event.preventDefault();
          this.closeSuggestions();
        }
        break;
      case "Tab":
        this.closeSuggestions();
        break;
    }
  };

  // ------------------------------------------------------------------ searching
  Widget.prototype.search = function (text, page) {
    var self = this;
    this.state.q = (text || "").trim();
    this.state.page = page || 1;
    if (this.searchAbort) this.searchAbort.abort();
    this.searchAbort = new AbortController();
    var params = { q: this.state.q, page: this.state.page, page_size: this.pageSize };
    Object.keys(this.state.filters).forEach(function (name) { params[name] = self.state.filters[name]; });
    this.root.setAttribute("aria-busy", "true");
    this.status.textContent = "正在检索……";
    return this.get("search", params, this.searchAbort.signal).then(
      function (body) {
        self.root.removeAttribute("aria-busy");
        self.render(body);
      },
      function (error) {
        if (error && error.name === "AbortError") return;
        self.root.removeAttribute("aria-busy");
        self.showError(error.message || "检索失败。");
      }
    );
  };

  Widget.prototype.showError = function (message) {
    this.status.textContent = "";
    this.notice.textContent = "";
    this.notice.appendChild(el("p", { className: "gs-error", role: "alert" }, message));
    this.results.textContent = "";
    this.facetsBox.textContent = "";
    this.pager.textContent = "";
  };

  Widget.prototype.toggleFilter = function (field, value) {
    var values = (this.state.filters[field] || []).slice();
    var at = values.indexOf(value);
    if (at >= 0) values.splice(at, 1);
    else values.push(value);
    if (values.length) this.state.filters[field] = values;
    else delete this.state.filters[field];
    return this.search(this.state.q, 1);
  };

  Widget.prototype.render = function (body) {
    var self = this;
    this.status.textContent = body.total
      ? "共找到 " + body.total + " 份文件" + (body.pages > 1 ? "，第 " + body.page + "/" + body.pages + " 页" : "")
      : "没有找到相关文件。";
    this.renderNotice(body);
    this.results.textContent = "";
    this.results.setAttribute("start", String((body.page - 1) * body.page_size + 1));
    body.hits.forEach(function (hit) { self.results.appendChild(self.renderHit(hit)); });
    this.renderFacets(body.facets || {});
    this.renderPager(body.page, body.pages);
  };

  Widget.prototype.renderNotice = function (body) {
    var self = this;
    this.notice.textContent = "";
    if (body.corrected) {
      var p = el("p", { className: "gs-corrected" }, "您是不是要找：");
      var fix = el("button", { type: "button", className: "gs-link-button" }, body.corrected);
      fix.addEventListener("click", function () {
        self.input.value = body.corrected;
        self.search(body.corrected, 1);
      });
      p.appendChild(fix);
      this.notice.appendChild(p);
    }
    if (body.relaxed) {
      this.notice.appendChild(el("p", { className: "gs-note" }, "没有同时包含全部词语的文件，以下为部分匹配的结果。"));
    }
    (body.notes || []).forEach(function (note) { self.notice.appendChild(el("p", { className: "gs-note" }, note)); });
  };

  Widget.prototype.link = function (href, text, className) {
    var url = safeUrl(href);
    var a = el(url ? "a" : "span", { className: className }, text);
    if (url) {
      a.setAttribute("href", url);
      if (this.linkTarget) {
        a.setAttribute("target", this.linkTarget);
        a.setAttribute("rel", "noopener");
      }
    }
    return a;
  };

  Widget.prototype.renderHit = function (hit) {
    var self = this;
    var item = el("li", { className: "gs-hit" });
    var heading = el("h3", { className: "gs-hit-title" });
    heading.appendChild(this.link(hit.page_url, hit.title || hit.filename || "（无标题）"));
    if (hit.is_interpretation) heading.appendChild(el("span", { className: "gs-badge" }, "解读"));
    if (hit.validity && hit.validity !== "现行有效") heading.appendChild(el("span", { className: "gs-badge gs-badge-muted" }, hit.validity));
    item.appendChild(heading);

    var meta = el("p", { className: "gs-hit-meta" });
    [hit.doc_number, (hit.issuer || []).join("、"), hit.written_date || hit.published_date, hit.doc_type]
      .filter(function (x) { return x; })
      .forEach(function (text) { meta.appendChild(el("span", { className: "gs-meta-item" }, text)); });
    if (meta.childNodes.length) item.appendChild(meta);

    var snippet = el("p", { className: "gs-hit-snippet" });
    appendMarked(snippet, hit.snippet);
    item.appendChild(snippet);

    var links = el("p", { className: "gs-hit-links" });
    if (hit.interprets) {
      links.appendChild(el("span", null, "解读的政策："));
      links.appendChild(this.link(hit.interprets.page_url, hit.interprets.title));
    }
    (hit.interpretations || []).forEach(function (link) {
      links.appendChild(el("span", null, "政策解读："));
      links.appendChild(self.link(link.page_url, link.title));
    });
    var copies = hit.duplicates || [];
    if (copies.length) {
      // the first copy as a link, the rest as a count (a notice may be republished many times)
      links.appendChild(el("span", null, copies.length > 1 ? "另有 " + copies.length + " 份内容相同，如：" : "内容相同："));
      links.appendChild(self.link(copies[0].page_url, copies[0].title));
    }
    if (hit.download_url) links.appendChild(this.link(hit.download_url, "下载原文", "gs-download"));
    item.appendChild(links);
    return item;
  };

  Widget.prototype.renderFacets = function (facets) {
    var self = this;
    this.facetsBox.textContent = "";
    var any = false;
    FACETS.forEach(function (pair) {
      var field = pair[0];
      var selected = self.state.filters[field] || [];
      var values = (facets[field] || []).slice();
      // a selected value stays visible (and can be cleared) even with no count
      selected.forEach(function (v) {
        if (!values.some(function (fv) { return fv.value === v; })) values.push({ value: v, count: 0 });
      });
      if (!values.length) return;
      any = true;
      var group = el("div", { className: "gs-facet", role: "group", "aria-labelledby": self.id + "-f-" + field });
      group.appendChild(el("h4", { id: self.id + "-f-" + field, className: "gs-facet-title" }, pair[1]));
      var list = el("ul", { className: "gs-facet-values" });
      values.forEach(function (fv, index) {
        var pressed = selected.indexOf(fv.value) >= 0;
        if (index >= FACET_VALUES_SHOWN && !pressed) return;
        var li = el("li");
        var button = el("button", {
          type: "button",
          className: "gs-facet-value",
          "aria-pressed": pressed ? "true" : "false",
          "data-field": field,
          "data-value": fv.value
        });
        button.appendChild(el("span", { className: "gs-facet-label" }, fv.value));
        button.appendChild(el("span", { className: "gs-count" }, String(fv.count)));
        button.addEventListener("click", function () {
          self.toggleFilter(field, fv.value).then(function () { self.focusFacet(field, fv.value); });
        });
        li.appendChild(button);
        list.appendChild(li);
      });
      group.appendChild(list);
      self.facetsBox.appendChild(group);
    });
    if (Object.keys(this.state.filters).length) {
      var clear = el("button", { type: "button", className: "gs-link-button gs-clear" }, "清除筛选");
      clear.addEventListener("click", function () {
        self.state.filters = {};
        self.search(self.state.q, 1);
      });
      this.facetsBox.appendChild(clear);
    }
    this.facetsBox.hidden = !any;
  };

  Widget.prototype.focusFacet = function (field, value) {
    // keep keyboard users where they were after the list is redrawn
    var buttons = this.facetsBox.querySelectorAll(".gs-facet-value");
    for (var i = 0; i < buttons.length; i++) {
      if (buttons[i].getAttribute("data-field") === field && buttons[i].getAttribute("data-value") === value) {
        buttons[i].focus();
        return;
      }
    }
  };

  Widget.prototype.renderPager = function (page, pages) {
    var self = this;
    this.pager.textContent = "";
    if (!pages || pages < 2) return;
    var list = el("ul", { className: "gs-pages" });
    function add(label, target, current, aria) {
      var li = el("li");
      var button = el("button", {
        type: "button",
        className: "gs-page" + (current ? " gs-page-current" : ""),
        "aria-current": current ? "page" : null,
        "aria-label": aria || "第 " + target + " 页",
        disabled: target < 1 || target > pages ? true : null
      }, label);
      button.addEventListener("click", function () {
        if (current) return;
        self.search(self.state.q, target).then(function () {
          self.status.scrollIntoView({ block: "nearest" });
          var now = self.pager.querySelector("[aria-current=page]");
          if (now) now.focus();
        });
      });
      li.appendChild(button);
      list.appendChild(li);
    }
    add("上一页", page - 1, false, "上一页");
    var first = Math.max(1, page - 2);
    var last = Math.min(pages, page + 2);
    if (first > 1) add("1", 1, page === 1);
    if (first > 2) list.appendChild(el("li", { className: "gs-ellipsis", "aria-hidden": "true" }, "…"));
    for (var n = first; n <= last; n++) add(String(n), n, n === page);
    if (last < pages - 1) list.appendChild(el("li", { className: "gs-ellipsis", "aria-hidden": "true" }, "…"));
    if (last < pages) add(String(pages), pages, page === pages);
    add("下一页", page + 1, false, "下一页");
    this.pager.appendChild(list);
  };

  // ------------------------------------------------------------------ start
  function init(element, options) {
    if (!element || element.__govsearch) return element && element.__govsearch;
    element.__govsearch = new Widget(element, options);
    return element.__govsearch;
  }

  function initAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-govsearch]"), function (element) { init(element); });
  }

  window.GovSearch = { init: init, initAll: initAll, version: VERSION };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();
