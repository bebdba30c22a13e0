// Segment builder: edits a segment definition as the data its YAML file holds, asks the server for the live
// size (the segment compiler's preview query) after each change, and saves it as segments/<name>.yml.
// Plain JavaScript, no build step. Paths given to elements (data-path) are the definition parser's field
// paths ("conditions.all[1].value"), so the server's problems land next to the field they are about.
(function () {
  "use strict";

  const catalog = JSON.parse(document.getElementById("catalog-data").textContent);
  const initial = JSON.parse(document.getElementById("definition-data").textContent);
  let originalName = JSON.parse(document.getElementById("original-name").textContent) || "";
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  const LIST_OPERATORS = ["in", "not in"];
  const NULL_OPERATORS = ["is null", "is not null"];
  const LEAF_KINDS = ["trait", "prediction", "property", "consent", "in_segment", "performed", "did_not_perform"];
  const columnsOf = {
    trait: Object.fromEntries(catalog.traits.map((c) => [c.name, c])),
    prediction: Object.fromEntries(catalog.predictions.map((c) => [c.name, c])),
  };

  // ------------------------------------------------------------------ model: definition <-> editable tree

  function fromCondition(condition, propertyScope) {
    if (condition && typeof condition === "object") {
      if ("all" in condition || "any" in condition) {
        const op = "all" in condition ? "all" : "any";
        return { type: "group", op: op, negated: false,
                 children: (condition[op] || []).map((child) => fromCondition(child, propertyScope)) };
      }
      if ("not" in condition) {
        const inner = fromCondition(condition.not, propertyScope);
        if (inner.negated) return { type: "group", op: "all", negated: true, children: [inner] };
        inner.negated = true;
        return inner;
      }
      for (const kind of LEAF_KINDS) {
        if (kind in condition) {
          const node = { type: kind, negated: false };
          if (kind === "trait" || kind === "prediction" || kind === "property") {
            node.column = condition[kind];
            node.operator = condition.operator || "";
            node.value = "value" in condition ? condition.value : null;
          } else if (kind === "consent") {
            node.channel = condition.consent;
          } else if (kind === "in_segment") {
            node.segment = condition.in_segment;
          } else {
            node.behaviour = condition[kind];
            node.within = condition.within || "";
            node.at_least = condition.at_least === undefined ? "" : String(condition.at_least);
            node.at_most = condition.at_most === undefined ? "" : String(condition.at_most);
            node.where = condition.where ? fromCondition(condition.where, node.behaviour) : null;
            if (node.where && node.where.type !== "group") {
              node.where = { type: "group", op: "all", negated: false, children: [node.where], single: true };
            }
          }
          return node;
        }
      }
    }
    return { type: "group", op: "all", negated: false, children: [] };
  }

  function columnType(node, behaviour) {
    if (node.type === "property") {
      const source = catalog.behaviours[behaviour];
      const property = source && source.properties.find((p) => p.name === node.column);
      return property ? property.type : "string";
    }
    const column = columnsOf[node.type][node.column];
    return column ? column.type : "string";
  }

  function typed(text, type) {
    if (typeof text !== "string") return text;
    const trimmed = text.trim();
    if (type === "number") {
      const number = Number(trimmed);
      return trimmed !== "" && Number.isFinite(number) ? number : trimmed;
    }
    if (type === "boolean") return trimmed === "true" ? true : trimmed === "false" ? false : trimmed;
    return text;
  }

  function valueOf(node, behaviour) {
    const type = columnType(node, behaviour);
    if (NULL_OPERATORS.includes(node.operator)) return undefined;
    if (catalog.relative_operators.includes(node.operator)) return node.value;
    if (LIST_OPERATORS.includes(node.operator) || node.operator === "between") {
      const items = Array.isArray(node.value) ? node.value : String(node.value ?? "").split(",");
      return items.map((item) => typed(typeof item === "string" ? item.trim() : item, type))
        .filter((item) => item !== "");
    }
    return typed(node.value, type);
  }

  function toCondition(node, behaviour) {
    let condition;
    if (node.type === "group") {
      const children = node.children.map((child) => toCondition(child, behaviour));
      condition = node.single && children.length === 1 ? children[0] : { [node.op]: children };
    } else if (node.type === "trait" || node.type === "prediction" || node.type === "property") {
      condition = { [node.type]: node.column, operator: node.operator };
      const value = valueOf(node, behaviour);
      if (value !== undefined) condition.value = value;
    } else if (node.type === "consent") {
      condition = { consent: node.channel };
    } else if (node.type === "in_segment") {
      condition = { in_segment: node.segment };
    } else {
      condition = { [node.type]: node.behaviour };
      if (node.where && node.where.children.length) condition.where = toCondition(node.where, node.behaviour);
      if (node.type === "performed" && node.at_least !== "") condition.at_least = typed(node.at_least, "number");
      if (node.type === "performed" && node.at_most !== "") condition.at_most = typed(node.at_most, "number");
      if (node.within) condition.within = node.within;
    }
    return node.negated ? { not: condition } : condition;
  }

  const state = {
    name: initial.name || "",
    description: initial.description || "",
    owner: initial.owner || "",
    channel: initial.channel || (catalog.channels[0] || ""),
    holdout: initial.holdout_percent === undefined || initial.holdout_percent === null ? "" : String(initial.holdout_percent),
    exclude: initial.exclude_existing_customers === true,
    root: fromCondition(initial.conditions || { all: [] }),
    outputs: Array.isArray(initial.output) ? initial.output.slice() : [],
  };
  if (state.root.type !== "group") {
    state.root = { type: "group", op: "all", negated: false, children: [state.root], single: true };
  }

  function definition() {
    const result = { name: state.name.trim(), description: state.description.trim(), owner: state.owner.trim(),
                     channel: state.channel };
    if (state.holdout.trim() !== "") result.holdout_percent = typed(state.holdout, "number");
    if (state.exclude) result.exclude_existing_customers = true;
    result.conditions = toCondition(state.root);
    if (state.outputs.length) result.output = state.outputs;
    return result;
  }

  // ------------------------------------------------------------------ rendering

  function element(tag, attributes, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children || []) if (child) node.appendChild(child);
    return node;
  }

  function select(options, value, onChange, attributes) {
    const node = element("select", Object.assign({ onchange: (event) => { onChange(event.target.value); } }, attributes || {}));
    for (const option of options) {
      const [optionValue, label] = Array.isArray(option) ? option : [option, option];
      node.appendChild(element("option", { value: optionValue, text: label, selected: optionValue === value }));
    }
    if (value && !options.some((option) => (Array.isArray(option) ? option[0] : option) === value)) {
      node.appendChild(element("option", { value: value, text: value + " (unknown)", selected: true }));
    }
    return node;
  }

  function textInput(value, onInput, attributes) {
    return element("input", Object.assign({ value: value ?? "", oninput: (event) => { onInput(event.target.value); } }, attributes || {}));
  }

  // A node's path before its own `not` (renderGroup and renderLeaf add `.not` for a negated node).
  function nodePath(parentPath, op, index) {
    return `${parentPath}.${op}[${index}]`;
  }

  function renderGroup(group, path, behaviour, onRemove) {
    const box = element("div", { class: "group" + (group.negated ? " negated" : ""), "data-path": path });
    const head = element("div", { class: "group-head" }, [
      select([["all", "ALL of (and)"], ["any", "ANY of (or)"]], group.op, (value) => { group.op = value; changed(); },
             { "aria-label": "group operator", class: "group-op" }),
      element("label", { class: "check not-label" }, [
        element("input", { type: "checkbox", checked: group.negated, class: "group-not",
                           onchange: (event) => { group.negated = event.target.checked; changed(); } }),
        document.createTextNode("NOT"),
      ]),
      onRemove ? element("button", { type: "button", class: "remove", text: "remove group", onclick: onRemove }) : null,
    ]);
    box.appendChild(head);
    const groupPath = group.negated ? `${path}.not` : path;
    // A lone leaf written without all/any (`single`) keeps its own path in the parser's eyes.
    group.children.forEach((child, index) => {
      const childPath = group.single && group.children.length === 1 ? groupPath : nodePath(groupPath, group.op, index);
      const remove = () => { group.children.splice(index, 1); changed(); };
      box.appendChild(child.type === "group" ? renderGroup(child, childPath, behaviour, remove)
        : renderLeaf(child, childPath, behaviour, remove));
    });
    const add = (node) => { group.single = false; group.children.push(node); changed(); };
    const buttons = behaviour ? [["+ property", () => add({ type: "property", negated: false, column: firstProperty(behaviour), operator: "=", value: "" })]]
      : [
        ["+ trait", () => add({ type: "trait", negated: false, column: catalog.traits[0] ? catalog.traits[0].name : "", operator: "", value: "" })],
        ["+ prediction", () => add({ type: "prediction", negated: false, column: catalog.predictions[0] ? catalog.predictions[0].name : "", operator: "", value: "" })],
        ["+ event", () => add({ type: "performed", negated: false, behaviour: Object.keys(catalog.behaviours)[0] || "", within: "", at_least: "", at_most: "", where: null })],
        ["+ consent", () => add({ type: "consent", negated: false, channel: catalog.channels[0] || "" })],
        ["+ other segment", () => add({ type: "in_segment", negated: false, segment: catalog.segments[0] || "" })],
      ];
    buttons.push(["+ group", () => add({ type: "group", op: "any", negated: false, children: [] })]);
    box.appendChild(element("div", { class: "add-buttons" },
      buttons.map(([label, action]) => element("button", { type: "button", class: "small secondary add-" + label.slice(2).replace(/ /g, "-"), text: label, onclick: action }))));
    return box;
  }

  function firstProperty(behaviour) {
    const source = catalog.behaviours[behaviour];
    return source && source.properties.length ? source.properties[0].name : "";
  }

  function operatorsFor(type) {
    return catalog.operators[type] || catalog.operators.string;
  }

  function renderLeaf(node, basePath, behaviour, onRemove) {
    const path = node.negated ? `${basePath}.not` : basePath;
    const row = element("div", { class: "leaf", "data-path": path });
    const notToggle = element("label", { class: "not-label" }, [
      element("input", { type: "checkbox", checked: node.negated, class: "leaf-not",
                         onchange: (event) => { node.negated = event.target.checked; changed(); } }),
      document.createTextNode("not"),
    ]);
    row.appendChild(notToggle);
    const kindLabel = { trait: "trait", prediction: "prediction", property: "property", consent: "consent",
                        in_segment: "in segment", performed: "did", did_not_perform: "did not" }[node.type];
    row.appendChild(element("span", { class: "kind", text: kindLabel }));
    const leafPath = (key) => `${path}.${key}`;
    if (node.type === "trait" || node.type === "prediction" || node.type === "property") {
      const options = node.type === "property"
        ? (catalog.behaviours[behaviour] ? catalog.behaviours[behaviour].properties.map((p) => p.name) : [])
        : (node.type === "trait" ? catalog.traits : catalog.predictions).map((c) => c.name);
      row.appendChild(select(options, node.column, (value) => { node.column = value; node.operator = ""; node.value = ""; changed(); },
                             { class: "leaf-column", "data-path": leafPath(node.type), "aria-label": "column" }));
      const type = columnType(node, behaviour);
      const operators = operatorsFor(type);
      if (!node.operator) node.operator = operators[0];
      row.appendChild(select(operators, node.operator, (value) => { node.operator = value; changed(); },
                             { class: "leaf-operator", "data-path": leafPath("operator"), "aria-label": "operator" }));
      if (!NULL_OPERATORS.includes(node.operator)) {
        let placeholder = type === "date" || type === "timestamp" ? "YYYY-MM-DD" : "value";
        if (catalog.relative_operators.includes(node.operator)) placeholder = "30 days";
        if (LIST_OPERATORS.includes(node.operator)) placeholder = "a, b, c";
        if (node.operator === "between") placeholder = "low, high";
        const shown = Array.isArray(node.value) ? node.value.join(", ") : (node.value ?? "");
        if (type === "boolean" && !LIST_OPERATORS.includes(node.operator)) {
          if (node.value === "" || node.value === null) node.value = "true";
          row.appendChild(select(["true", "false"], String(node.value), (value) => { node.value = value; changed(); },
                                 { class: "leaf-value", "data-path": leafPath("value"), "aria-label": "value" }));
        } else {
          row.appendChild(textInput(String(shown), (value) => { node.value = value; changedSoon(); },
                                    { class: "leaf-value", placeholder: placeholder, "data-path": leafPath("value"), "aria-label": "value" }));
        }
      }
    } else if (node.type === "consent") {
      row.appendChild(select(catalog.channels, node.channel, (value) => { node.channel = value; changed(); },
                             { "data-path": leafPath("consent"), "aria-label": "channel" }));
    } else if (node.type === "in_segment") {
      row.appendChild(select(catalog.segments.filter((name) => name !== originalName), node.segment,
                             (value) => { node.segment = value; changed(); },
                             { "data-path": leafPath("in_segment"), "aria-label": "segment" }));
    } else {
      row.appendChild(select([["performed", "performed"], ["did_not_perform", "did not perform"]], node.type,
                             (value) => { node.type = value; changed(); }, { "aria-label": "performed or not" }));
      row.appendChild(select(Object.keys(catalog.behaviours), node.behaviour, (value) => { node.behaviour = value; node.where = null; changed(); },
                             { class: "leaf-behaviour", "data-path": leafPath(node.type), "aria-label": "event" }));
      if (node.type === "performed") {
        row.appendChild(textInput(node.at_least, (value) => { node.at_least = value; changedSoon(); },
                                  { placeholder: "at least (1)", size: 9, "data-path": leafPath("at_least"), "aria-label": "at least" }));
        row.appendChild(textInput(node.at_most, (value) => { node.at_most = value; changedSoon(); },
                                  { placeholder: "at most", size: 7, "data-path": leafPath("at_most"), "aria-label": "at most" }));
      }
      row.appendChild(textInput(node.within, (value) => { node.within = value; changedSoon(); },
                                { placeholder: "within (e.g. 90 days)", size: 16, "data-path": leafPath("within"), "aria-label": "within" }));
      if (!node.where) {
        row.appendChild(element("button", { type: "button", class: "small secondary", text: "+ where",
          onclick: () => { node.where = { type: "group", op: "all", negated: false, children: [
            { type: "property", negated: false, column: firstProperty(node.behaviour), operator: "=", value: "" }] }; changed(); } }));
      }
    }
    row.appendChild(element("button", { type: "button", class: "remove", text: "×", title: "remove", onclick: onRemove }));
    if (node.where && (node.type === "performed" || node.type === "did_not_perform")) {
      const wherePath = leafPath("where");
      const whereBox = renderGroup(node.where, wherePath, node.behaviour, () => { node.where = null; changed(); });
      whereBox.classList.add("where");
      row.appendChild(element("div", { class: "where-box" }, [element("span", { class: "muted", text: "where" }), whereBox]));
    }
    return row;
  }

  function renderFields() {
    const name = document.getElementById("field-name");
    name.value = state.name;
    name.oninput = (event) => { state.name = event.target.value; changedSoon(); };
    const description = document.getElementById("field-description");
    description.value = state.description;
    description.oninput = (event) => { state.description = event.target.value; changedSoon(); };
    const owner = document.getElementById("field-owner");
    owner.value = state.owner;
    owner.oninput = (event) => { state.owner = event.target.value; changedSoon(); };
    const channel = document.getElementById("field-channel");
    channel.replaceChildren(...catalog.channels.map((item) => element("option", { value: item, text: item, selected: item === state.channel })));
    channel.onchange = (event) => { state.channel = event.target.value; changed(); };
    const holdout = document.getElementById("field-holdout");
    holdout.value = state.holdout;
    holdout.oninput = (event) => { state.holdout = event.target.value; changedSoon(); };
    const exclude = document.getElementById("field-exclude");
    exclude.checked = state.exclude;
    exclude.onchange = (event) => { state.exclude = event.target.checked; changed(); };
    const add = document.getElementById("output-add");
    const names = [...catalog.traits.map((c) => ["trait", c.name]), ...catalog.predictions.map((c) => ["prediction", c.name])];
    add.replaceChildren(element("option", { value: "", text: "add a column…" }),
      ...names.map(([kind, columnName]) => element("option", { value: columnName, text: `${columnName} (${kind})` })));
    add.onchange = (event) => {
      if (event.target.value && !state.outputs.includes(event.target.value)) state.outputs.push(event.target.value);
      event.target.value = "";
      renderOutputs();
      changed();
    };
    renderOutputs();
  }

  function renderOutputs() {
    const box = document.getElementById("outputs");
    box.replaceChildren(...state.outputs.map((item, index) => {
      const label = typeof item === "object" ? `${item.column} as ${item.as}` : item;
      return element("span", { class: "chip", "data-path": `output[${index}]` }, [
        document.createTextNode(label),
        element("button", { type: "button", title: "remove", text: "×",
                            onclick: () => { state.outputs.splice(index, 1); renderOutputs(); changed(); } }),
      ]);
    }));
  }

  function renderConditions() {
    const box = document.getElementById("conditions");
    box.replaceChildren(renderGroup(state.root, "conditions", null, null));
  }

  // ------------------------------------------------------------------ server: live size and save

  let sequence = 0;
  let timer = null;

  function changed() {
    renderConditions();
    schedule(150);
  }

  function changedSoon() {
    schedule(450);
  }

  function schedule(delay) {
    clearTimeout(timer);
    document.getElementById("audience-size").classList.add("stale");
    timer = setTimeout(refresh, delay);
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    return response.json();
  }

  function clearProblems() {
    document.querySelectorAll(".field-error").forEach((node) => node.remove());
    document.querySelectorAll(".invalid").forEach((node) => node.classList.remove("invalid"));
  }

  function showProblems(problems) {
    clearProblems();
    for (const problem of problems) {
      // The element whose path is the longest prefix of the problem's path: the field itself, else its leaf.
      let best = document.getElementById("general-errors");
      let bestLength = -1;
      document.querySelectorAll("[data-path]").forEach((node) => {
        const path = node.getAttribute("data-path");
        const matches = path === problem.path || (path && (problem.path.startsWith(path + ".") || problem.path.startsWith(path + "[")));
        if (matches && path.length > bestLength) { best = node; bestLength = path.length; }
      });
      const message = element("div", { class: "field-error", text: problem.message, "data-problem-path": problem.path });
      if (best.tagName === "INPUT" || best.tagName === "SELECT" || best.tagName === "TEXTAREA") {
        best.classList.add("invalid");
        best.insertAdjacentElement("afterend", message);
      } else if (best.classList.contains("leaf") || best.classList.contains("group")) {
        best.appendChild(message);
      } else {
        best.classList.add("invalid");
        best.appendChild(message);
      }
    }
  }

  function renderSample(result) {
    const box = document.getElementById("sample");
    const sample = result.sample;
    document.getElementById("sample-note").textContent = result.masked_columns.length
      ? `(${sample.rows.length} of ${result.member_count.toLocaleString("en")}; personal data masked: ${result.masked_columns.join(", ")})`
      : `(${sample.rows.length} of ${result.member_count.toLocaleString("en")})`;
    const table = element("table", { class: "data compact", id: "sample-table" }, [
      element("thead", {}, [element("tr", {}, sample.columns.map((column) => element("th", { text: column })))]),
      element("tbody", {}, sample.rows.map((row) => element("tr", {}, row.map((value) =>
        element("td", { text: value === null ? "" : String(value) }))))),
    ]);
    box.replaceChildren(table);
  }

  async function refresh() {
    const mine = ++sequence;
    const sizeNode = document.getElementById("audience-size");
    const detail = document.getElementById("size-detail");
    let result;
    try {
      result = await post("/api/segments/preview", { definition: definition() });
    } catch (error) {
      if (mine === sequence) detail.textContent = `could not compute the size: ${error.message}`;
      return;
    }
    if (mine !== sequence) return; // an older answer: a newer edit is being counted
    if (!result.ok) {
      showProblems(result.problems);
      sizeNode.textContent = "—";
      sizeNode.setAttribute("data-count", "");
      detail.textContent = "fix the highlighted fields to see the size";
      return;
    }
    clearProblems();
    sizeNode.classList.remove("stale");
    sizeNode.textContent = result.member_count.toLocaleString("en");
    sizeNode.setAttribute("data-count", String(result.member_count));
    const suppressed = result.suppressed_count ? `, ${result.suppressed_count.toLocaleString("en")} suppressed` : "";
    detail.textContent = `${result.holdout_count.toLocaleString("en")} holdout · ${result.matched_count.toLocaleString("en")} matched${suppressed} · as of ${result.as_of_date}`;
    renderSample(result);
  }

  async function save() {
    const status = document.getElementById("save-status");
    status.textContent = "saving…";
    let result;
    try {
      result = await post("/api/segments/save", { definition: definition(), replaces: originalName });
    } catch (error) {
      status.textContent = `not saved: ${error.message}`;
      return;
    }
    if (!result.ok) {
      showProblems(result.problems);
      status.textContent = "not saved: fix the highlighted fields";
      return;
    }
    clearProblems();
    originalName = state.name.trim();
    status.textContent = `saved ${result.path} and compiled its dbt model (dbt build materialises it)`;
    const yaml = document.getElementById("saved-yaml");
    yaml.textContent = result.yaml;
    yaml.hidden = false;
    history.replaceState(null, "", result.edit_url);
  }

  document.getElementById("save").addEventListener("click", save);
  renderFields();
  renderConditions();
  refresh();
})();
