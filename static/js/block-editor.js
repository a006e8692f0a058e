// The block editor: turns a body's JSON textarea into one small form per block.
//
// The textarea stays the source of truth that the form submits (and the server cleans), so the
// page works without this script and nothing is lost if it fails. The schema comes from the
// server (apps.core.blocks.block_types) in a JSON script tag next to the textarea.
(() => {
  "use strict";

  const make = (tag, props = {}, ...children) => {
    const element = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === "class") element.className = value;
      else if (key === "text") element.textContent = value;
      else if (key.startsWith("data-") || key.startsWith("aria-")) element.setAttribute(key, value);
      else element[key] = value;
    }
    for (const child of children) if (child) element.append(child);
    return element;
  };

  let uid = 0;
  const nextId = (prefix) => `${prefix}-${++uid}`;

  function blankBlock(types, type) {
    const block = { type };
    for (const [name, spec] of Object.entries(types[type].fields)) {
      if (name === "id") continue;
      if (spec.type === "integer") block[name] = spec.minimum ?? 0;
      else if (spec.type === "boolean") block[name] = spec.default ?? false;
      else if (spec.type === "array") block[name] = Array.from({ length: spec.min_items || 0 }, () => []);
      else if (spec.type === "object") block[name] = {};
      else if (spec.choices) block[name] = spec.default ?? spec.choices[0];
      else block[name] = "";
    }
    return block;
  }

  class BlockList {
    // One editable list of blocks (the body, or one column of a columns block).
    constructor(editor, blocks, excluded = []) {
      this.editor = editor;
      this.blocks = blocks;
      this.excluded = excluded;
      this.element = make("div", { class: "block-editor__list" });
      this.render();
    }

    render() {
      this.element.replaceChildren();
      this.blocks.forEach((block, index) => this.element.append(this.card(block, index)));
      this.element.append(this.adder());
    }

    changed() {
      this.editor.sync();
    }

    card(block, index) {
      const spec = this.editor.types[block.type];
      const label = spec ? spec.label : block.type;
      const title = make("strong", { class: "block-editor__type", text: `${index + 1}. ${label}` });
      const tools = make("span", { class: "block-editor__tools" });
      const button = (text, name, action, disabled = false) => {
        const b = make("button", { type: "button", text, className: "block-editor__tool", disabled });
        b.setAttribute("aria-label", `${name} block ${index + 1} (${label})`);
        b.addEventListener("click", () => {
          action();
          this.render();
          this.changed();
        });
        return b;
      };
      tools.append(
        button("↑", "Move up", () => this.move(index, -1), index === 0),
        button("↓", "Move down", () => this.move(index, 1), index === this.blocks.length - 1),
        button("✕", "Remove", () => this.blocks.splice(index, 1)),
      );
      const card = make("fieldset", { class: "block-editor__block", "data-block-type": block.type });
      card.append(make("legend", {}, title), tools);
      if (!spec) {
        card.append(make("p", { class: "help", text: "Unknown block type: edit it as JSON." }));
        return card;
      }
      for (const [name, field] of Object.entries(spec.fields)) {
        if (name === "id") continue;
        card.append(this.field(block, name, field));
      }
      return card;
    }

    move(index, step) {
      const [block] = this.blocks.splice(index, 1);
      this.blocks.splice(index + step, 0, block);
    }

    field(block, name, spec) {
      const id = nextId("block-field");
      const row = make("div", { class: "block-editor__field" });
      const label = make("label", { htmlFor: id, text: name.replace(/_/g, " ") + (spec.required ? "" : " (optional)") });
      let input;
      if (spec.type === "array") {
        row.append(make("span", { class: "block-editor__label", text: "columns" }), this.columns(block, name, spec));
        return row;
      }
      if (spec.format === "stored_image") return this.imageField(block, name, spec, row, label, id);
      if (spec.type === "boolean") {
        input = make("input", { type: "checkbox", id, checked: Boolean(block[name]) });
        input.addEventListener("change", () => {
          block[name] = input.checked;
          this.changed();
        });
        row.append(input, label);
        return row;
      }
      if (spec.choices) {
        input = make("select", { id });
        for (const choice of spec.choices) input.append(make("option", { value: choice, text: choice }));
        input.value = block[name] ?? "";
      } else if (spec.type === "integer") {
        input = make("input", { type: "number", id, min: spec.minimum ?? "", max: spec.maximum ?? "" });
        input.value = block[name] ?? "";
      } else if (spec.type === "object") {
        input = make("textarea", { id, rows: 2, placeholder: '{"limit": 3}' });
        input.value = Object.keys(block[name] || {}).length ? JSON.stringify(block[name]) : "";
      } else if (spec.format === "html" || (spec.max_length || 0) > 300) {
        input = make("textarea", { id, rows: spec.format === "html" ? 6 : 3 });
        input.value = block[name] ?? "";
      } else {
        input = make("input", { type: "text", id, maxLength: spec.max_length || 2000 });
        input.value = block[name] ?? "";
      }
      if (spec.format === "html") {
        row.append(label, input, make("div", { class: "help", text: `HTML: ${spec.allowed_tags.join(", ")}` }));
      } else {
        row.append(label, input);
      }
      input.addEventListener("input", () => {
        if (spec.type === "integer") block[name] = input.value === "" ? null : Number(input.value);
        else if (spec.type === "object") {
          try {
            block[name] = input.value.trim() ? JSON.parse(input.value) : {};
            input.setCustomValidity("");
          } catch {
            input.setCustomValidity("Not valid JSON yet");
            return;
          }
        } else block[name] = input.value;
        this.changed();
      });
      input.addEventListener("change", () => input.dispatchEvent(new Event("input")));
      return row;
    }

    imageField(block, name, spec, row, label, id) {
      // The key stays a text field (a stored key may be typed or pasted); the picker uploads a
      // file to the site's storage and fills it in. The preview shows the stored image from the
      // storage's own address, which the CSP allows (a local blob: preview would be blocked).
      const key = make("input", { type: "text", id, maxLength: spec.max_length || 300, placeholder: "uploads/blocks/…" });
      key.value = block[name] ?? "";
      const fileId = nextId("block-image");
      const picker = make("input", {
        type: "file",
        id: fileId,
        accept: (spec.formats || []).map((format) => `image/${format}`).join(","),
        className: "block-editor__file",
      });
      const status = make("p", { class: "block-editor__status", "aria-live": "polite" });
      status.setAttribute("role", "status");
      const preview = make("img", { class: "block-editor__preview", alt: "Preview of the block's image", hidden: true });
      const show = () => {
        const url = this.editor.imageUrls[key.value.trim()];
        preview.hidden = !url;
        if (url) preview.src = url;
        else preview.removeAttribute("src");
      };
      key.addEventListener("input", () => {
        block[name] = key.value;
        show();
        this.changed();
      });
      picker.addEventListener("change", async () => {
        const [file] = picker.files;
        if (!file) return;
        status.classList.remove("block-editor__status--error");
        status.textContent = `Uploading ${file.name}…`;
        try {
          const stored = await this.editor.upload(file);
          this.editor.imageUrls[stored.key] = stored.url;
          key.value = block[name] = stored.key;
          status.textContent = `Uploaded (${stored.width} × ${stored.height}).`;
          show();
          this.changed();
        } catch (error) {
          status.classList.add("block-editor__status--error");
          status.textContent = error.message;
        } finally {
          picker.value = "";
        }
      });
      show();
      row.classList.add("block-editor__image");
      row.append(
        label,
        key,
        make("label", { htmlFor: fileId, text: "Upload an image" }),
        picker,
        make("div", { class: "help", text: `PNG, JPEG, GIF or WebP, up to ${Math.round((spec.max_bytes || 0) / 1048576)} MB.` }),
        status,
        preview,
      );
      return row;
    }

    columns(block, name, spec) {
      const wrap = make("div", { class: "block-editor__columns" });
      const draw = () => {
        wrap.replaceChildren();
        block[name].forEach((column, index) => {
          const list = new BlockList(this.editor, column, spec.items.items.excluded_types || []);
          const holder = make("div", { class: "block-editor__column" });
          holder.append(make("span", { class: "block-editor__label", text: `Column ${index + 1}` }), list.element);
          wrap.append(holder);
        });
        const add = make("button", { type: "button", text: "Add a column", disabled: block[name].length >= spec.max_items });
        const remove = make("button", {
          type: "button",
          text: "Remove the last column",
          disabled: block[name].length <= spec.min_items,
        });
        add.addEventListener("click", () => {
          block[name].push([]);
          draw();
          this.changed();
        });
        remove.addEventListener("click", () => {
          block[name].pop();
          draw();
          this.changed();
        });
        wrap.append(make("div", { class: "block-editor__column-tools" }, add, remove));
      };
      draw();
      return wrap;
    }

    adder() {
      const id = nextId("block-add");
      const select = make("select", { id });
      for (const [type, spec] of Object.entries(this.editor.types)) {
        if (!this.excluded.includes(type)) select.append(make("option", { value: type, text: spec.label }));
      }
      const add = make("button", { type: "button", text: "Add block", className: "block-editor__add" });
      add.addEventListener("click", () => {
        this.blocks.push(blankBlock(this.editor.types, select.value));
        this.render();
        this.changed();
        const cards = this.element.querySelectorAll(":scope > .block-editor__block");
        cards[cards.length - 1]?.querySelector("input, textarea, select")?.focus();
      });
      return make(
        "div",
        { class: "block-editor__adder" },
        make("label", { htmlFor: id, text: "New block: " }),
        select,
        add,
      );
    }
  }

  class BlockEditor {
    constructor(root) {
      this.root = root;
      this.source = root.querySelector("textarea");
      this.types = JSON.parse(document.getElementById(root.dataset.blockEditor).textContent);
      const images = root.dataset.imageUrls && document.getElementById(root.dataset.imageUrls);
      this.imageUrls = images ? JSON.parse(images.textContent) : {};
      let blocks;
      try {
        blocks = this.source.value.trim() ? JSON.parse(this.source.value) : [];
        if (!Array.isArray(blocks)) throw new Error("not a list");
      } catch {
        return; // leave malformed JSON to the textarea and the server's error message
      }
      this.list = new BlockList(this, blocks);
      this.root.classList.add("block-editor--enhanced");
      const toggle = make("button", { type: "button", text: "Edit as JSON", className: "block-editor__toggle" });
      toggle.setAttribute("aria-expanded", "false");
      toggle.addEventListener("click", () => this.toggleSource(toggle));
      this.source.addEventListener("change", () => this.reload());
      this.root.prepend(this.list.element);
      this.root.append(toggle);
    }

    toggleSource(toggle) {
      const open = this.root.classList.toggle("block-editor--source");
      toggle.setAttribute("aria-expanded", String(open));
      toggle.textContent = open ? "Back to blocks" : "Edit as JSON";
      if (!open) this.reload();
    }

    reload() {
      try {
        const blocks = JSON.parse(this.source.value || "[]");
        if (!Array.isArray(blocks)) return;
        this.list.blocks = blocks;
        this.list.render();
      } catch {
        /* keep editing the JSON: the server names the problem on save */
      }
    }

    csrfToken() {
      const field = this.root.closest("form")?.querySelector("input[name=csrfmiddlewaretoken]");
      if (field) return field.value;
      const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
      return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : "";
    }

    async upload(file) {
      // Resolves to {key, url, width, height}; rejects with the server's message.
      const body = new FormData();
      body.append("file", file);
      let response;
      try {
        response = await fetch(this.root.dataset.imageUpload, {
          method: "POST",
          body,
          credentials: "same-origin",
          headers: { "X-CSRFToken": this.csrfToken(), Accept: "application/json" },
        });
      } catch {
        throw new Error("The upload failed: the server could not be reached.");
      }
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(answer.error?.message || `The upload failed (${response.status}).`);
      return answer;
    }

    sync() {
      this.source.value = JSON.stringify(this.list.blocks, null, 2);
      this.source.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  const start = () => document.querySelectorAll("[data-block-editor]").forEach((root) => new BlockEditor(root));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
