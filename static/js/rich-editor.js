/* The writer's editor for every body of blocks (docs/blocks.md, "The editor").
 *
 * It turns the widget's JSON textarea (core/widgets/block_editor.html) into a Tiptap editor
 * (static/vendor/tiptap/, window.Tiptap) and writes the same block list back into the textarea
 * on every change, so the form posts what it posted without JavaScript and the server cleans
 * it with clean_blocks (nh3) as before. Headings become heading blocks, runs of text rich_text
 * blocks, images and embeds their own blocks. A form with data-autosave="<url>" also saves its
 * draft there every few seconds (see setUpAutosave).
 *
 * CSP: no inline style and no <style> element (Tiptap's injectCSS is off; the editor's CSS is
 * static/css/block-editor.css); positions are set through element.style (CSSOM), which is allowed.
 */
(() => {
  "use strict";

  const T = window.Tiptap;
  if (!T) return;
  const { Editor, Extension, Node, StarterKit, Image, CharacterCount, Placeholder } = T;
  const { PMDOMParser, DOMSerializer, Fragment, NodeSelection, TextSelection } = T;

  const WORDS_PER_MINUTE = 220; // as the post page's reading time (docs/blocks.md)
  const AUTOSAVE_DELAY = 2500; // ms after the last change
  const AUTOSAVE_MAX_WAIT = 10000; // ms of continuous typing before a save anyway
  const RICH = new Set(["paragraph", "bulletList", "orderedList", "blockquote", "codeBlock", "horizontalRule"]);
  const ID = /^[A-Za-z0-9_-]{1,64}$/;

  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === false || value === null || value === undefined) continue;
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children) node.append(child);
    return node;
  };

  const csrfToken = (form) => {
    const input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  };

  const randomId = () => {
    const bytes = new Uint8Array(6);
    crypto.getRandomValues(bytes);
    return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
  };

  // --- Nodes ------------------------------------------------------------------------------------

  // Blocks keep their id across saves (docs/blocks.md: ids let diffs follow a block).
  const BlockIds = Extension.create({
    name: "blockIds",
    addGlobalAttributes() {
      return [
        {
          types: ["paragraph", "heading", "bulletList", "orderedList", "blockquote", "codeBlock", "horizontalRule"],
          attributes: {
            blockId: {
              default: null,
              keepOnSplit: false,
              parseHTML: (element) => element.getAttribute("data-block-id"),
              renderHTML: (attrs) => (attrs.blockId ? { "data-block-id": attrs.blockId } : {}),
            },
          },
        },
      ];
    },
  });

  // Alt+ArrowUp/Down move the block holding the cursor; Mod+K opens the link dialog.
  const BlockKeys = Extension.create({
    name: "blockKeys",
    addKeyboardShortcuts() {
      return {
        "Alt-ArrowUp": () => moveBlock(this.editor, -1),
        "Alt-ArrowDown": () => moveBlock(this.editor, 1),
        "Mod-k": () => {
          this.editor.storage.blockKeys.openLink();
          return true;
        },
      };
    },
    addStorage() {
      return { openLink: () => {} };
    },
  });

  const stopsEvent = (event) => {
    const target = event.target;
    return target instanceof Element && Boolean(target.closest("input, textarea, select, button, label"));
  };

  const setAttrs = (editor, getPos, attrs) => {
    const pos = getPos();
    if (typeof pos !== "number") return;
    const node = editor.state.doc.nodeAt(pos);
    if (!node) return;
    editor.view.dispatch(editor.state.tr.setNodeMarkup(pos, undefined, { ...node.attrs, ...attrs }));
  };

  const field = (labelText, control, hint) =>
    el("label", { class: "rich-editor__field" }, el("span", { text: labelText }), control, hint ? el("small", { text: hint }) : "");

  // An image uploaded to the site's storage: the key is what the block stores (src).
  const BlockImage = Image.extend({
    draggable: true,
    addAttributes() {
      return {
        src: { default: "" },
        key: { default: "" },
        alt: { default: "" },
        caption: { default: "" },
        decorative: { default: false },
        blockId: { default: null },
      };
    },
    parseHTML() {
      // Only the editor's own figures: an <img> pasted from another site is dropped, since
      // bodies show images from this site's storage only.
      return [
        {
          tag: "figure[data-block-type=image]",
          getAttrs: (dom) => ({
            src: dom.getAttribute("data-src") || "",
            key: dom.getAttribute("data-key") || "",
            alt: dom.getAttribute("data-alt") || "",
            caption: dom.getAttribute("data-caption") || "",
            decorative: dom.getAttribute("data-decorative") === "true",
            blockId: dom.getAttribute("data-block-id"),
          }),
        },
      ];
    },
    renderHTML({ node }) {
      const a = node.attrs;
      return [
        "figure",
        {
          "data-block-type": "image",
          "data-src": a.src,
          "data-key": a.key,
          "data-alt": a.alt,
          "data-caption": a.caption,
          "data-decorative": String(a.decorative),
          "data-block-id": a.blockId || "",
        },
        ["img", { src: a.src, alt: a.alt }],
      ];
    },
    addNodeView() {
      return ({ node, getPos, editor }) => {
        const img = el("img", { class: "rich-editor__image" });
        const alt = el("input", { type: "text", maxlength: "300" });
        const caption = el("input", { type: "text", maxlength: "500" });
        const decorative = el("input", { type: "checkbox" });
        const dom = el(
          "figure",
          { class: "rich-editor__figure", contenteditable: "false", "data-drag-handle": "" },
          img,
          el(
            "div",
            { class: "rich-editor__figure-fields" },
            field("Alt text", alt, "What the image shows, for readers who cannot see it."),
            field("Caption", caption),
            el("label", { class: "rich-editor__check" }, decorative, el("span", { text: "Decorative: it adds nothing a reader needs" })),
          ),
        );
        const sync = (current) => {
          if (img.getAttribute("src") !== current.attrs.src) img.setAttribute("src", current.attrs.src);
          img.alt = current.attrs.alt;
          if (document.activeElement !== alt) alt.value = current.attrs.alt;
          if (document.activeElement !== caption) caption.value = current.attrs.caption;
          decorative.checked = current.attrs.decorative;
          alt.disabled = current.attrs.decorative;
        };
        sync(node);
        alt.addEventListener("input", () => setAttrs(editor, getPos, { alt: alt.value }));
        caption.addEventListener("input", () => setAttrs(editor, getPos, { caption: caption.value }));
        decorative.addEventListener("change", () =>
          setAttrs(editor, getPos, { decorative: decorative.checked, alt: decorative.checked ? "" : alt.value }),
        );
        return {
          dom,
          update(updated) {
            if (updated.type !== node.type) return false;
            node = updated;
            sync(updated);
            return true;
          },
          stopEvent: stopsEvent,
          ignoreMutation: () => true,
        };
      };
    },
  });

  // The platform's own blocks (call to action, columns, slot), each an atom with a small form.
  const Embed = Node.create({
    name: "blockEmbed",
    group: "block",
    atom: true,
    draggable: true,
    selectable: true,
    addAttributes() {
      return {
        block: {
          default: null,
          parseHTML: (element) => {
            try {
              return JSON.parse(element.getAttribute("data-block") || "null");
            } catch (error) {
              return null;
            }
          },
          renderHTML: (attrs) => ({ "data-block": JSON.stringify(attrs.block) }),
        },
      };
    },
    parseHTML() {
      return [{ tag: "div[data-embed]" }];
    },
    renderHTML({ HTMLAttributes }) {
      return ["div", { "data-embed": "", ...HTMLAttributes }];
    },
    addNodeView() {
      return ({ node, getPos, editor }) => {
        const dom = el("div", { class: "rich-editor__embed", contenteditable: "false" });
        const render = (current, open) => {
          dom.replaceChildren(...embedView(current.attrs.block, open, editor, (block) => setAttrs(editor, getPos, { block })));
        };
        render(node, isNewEmbed(node.attrs.block));
        return {
          dom,
          update(updated) {
            if (updated.type !== node.type) return false;
            const same = JSON.stringify(updated.attrs.block) === JSON.stringify(node.attrs.block);
            node = updated;
            if (!same && !dom.querySelector("form")) render(updated, false);
            return true;
          },
          stopEvent: stopsEvent,
          ignoreMutation: () => true,
        };
      };
    },
  });

  const isNewEmbed = (block) =>
    (block.type === "cta" && !block.text) ||
    (block.type === "slot" && !block.name) ||
    (block.type === "columns" && block.columns.every((column) => column.length === 0));

  const textOfBlocks = (blocks) =>
    blocks
      .map((block) => {
        if (block.type === "heading") return block.text;
        const holder = document.createElement("template");
        holder.innerHTML = block.html || "";
        return Array.from(holder.content.childNodes, (child) => child.textContent.trim()).filter(Boolean).join("\n\n");
      })
      .join("\n\n");

  const paragraphsHtml = (text) => {
    const holder = document.createElement("div");
    for (const part of text.split(/\n\s*\n/)) {
      if (part.trim()) holder.append(el("p", { text: part.trim() }));
    }
    return holder.innerHTML;
  };

  const embedSummary = (block) => {
    if (block.type === "cta") return `Call to action: “${block.text || "…"}” → ${block.url || "…"}`;
    if (block.type === "slot") return `Slot: ${block.name || "…"}${block.options && block.options.limit ? ` (${block.options.limit})` : ""}`;
    return `Columns: ${block.columns.length}`;
  };

  function embedView(block, open, editor, save) {
    const title = el("p", { class: "rich-editor__embed-summary", text: embedSummary(block) });
    const edit = el("button", { type: "button", class: "button button--ghost", text: "Edit" });
    const remove = el("button", { type: "button", class: "button button--ghost", text: "Remove" });
    const bar = el("div", { class: "rich-editor__embed-bar" }, title, edit, remove);
    remove.addEventListener("click", () => {
      const pos = editor.view.posAtDOM(bar, 0) - 1;
      const node = editor.state.doc.nodeAt(pos);
      if (node && node.type.name === "blockEmbed") editor.view.dispatch(editor.state.tr.delete(pos, pos + node.nodeSize));
    });
    if (!open) {
      edit.addEventListener("click", () => bar.replaceWith(...embedView(block, true, editor, save)));
      return [bar];
    }
    edit.remove();
    const form = el("form", { class: "rich-editor__embed-form" });
    const controls = {};
    if (block.type === "cta") {
      controls.text = el("input", { type: "text", maxlength: "80", value: block.text || "" });
      controls.url = el("input", { type: "text", maxlength: "2000", value: block.url || "", placeholder: "https://… or /page/" });
      controls.style = el("select", {}, el("option", { value: "primary", text: "Primary" }), el("option", { value: "secondary", text: "Secondary" }));
      controls.style.value = block.style || "primary";
      form.append(field("Button text", controls.text), field("Link", controls.url), field("Style", controls.style));
    } else if (block.type === "slot") {
      const spec = (blockTypes().slot || { fields: { name: { choices: [], descriptions: {} } } }).fields.name;
      controls.name = el("select", {}, ...spec.choices.map((name) => el("option", { value: name, text: `${name}: ${spec.descriptions[name] || ""}` })));
      controls.name.value = block.name || spec.choices[0] || "";
      controls.limit = el("input", { type: "number", min: "1", max: "24", value: (block.options && block.options.limit) || "" });
      form.append(field("What to show", controls.name), field("How many (optional)", controls.limit));
    } else {
      controls.count = el("select", {}, ...[2, 3, 4].map((n) => el("option", { value: String(n), text: `${n} columns` })));
      controls.count.value = String(block.columns.length);
      controls.columns = [];
      for (let index = 0; index < 4; index += 1) {
        const column = block.columns[index] || [];
        const textOnly = column.every((inner) => inner.type === "rich_text" || inner.type === "heading");
        const area = el("textarea", { rows: "4", disabled: !textOnly });
        area.value = textOnly ? textOfBlocks(column) : "";
        controls.columns.push({ area, textOnly, column });
        form.append(field(`Column ${index + 1}`, area, textOnly ? "Paragraphs separated by a blank line." : "Holds blocks other than text: kept as they are."));
      }
      form.prepend(field("Columns", controls.count));
    }
    const done = el("button", { type: "submit", class: "button", text: "Done" });
    const cancel = el("button", { type: "button", class: "button button--ghost", text: "Cancel" });
    form.append(el("div", { class: "rich-editor__embed-actions" }, done, cancel));
    cancel.addEventListener("click", () => form.replaceWith(...embedView(block, false, editor, save)));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      let next;
      if (block.type === "cta") {
        next = { ...block, text: controls.text.value.trim(), url: controls.url.value.trim(), style: controls.style.value };
      } else if (block.type === "slot") {
        const options = { ...(block.options || {}) };
        const limit = parseInt(controls.limit.value, 10);
        if (limit) options.limit = limit;
        else delete options.limit;
        next = { ...block, name: controls.name.value, options };
      } else {
        const count = parseInt(controls.count.value, 10);
        const columns = controls.columns.slice(0, count).map(({ area, textOnly, column }) => {
          if (!textOnly) return column;
          const html = paragraphsHtml(area.value);
          return html ? [{ type: "rich_text", id: (column[0] && column[0].id) || randomId(), html }] : [];
        });
        next = { ...block, columns };
      }
      save(next);
      form.replaceWith(...embedView(next, false, editor, save));
    });
    // The form sits inside the editor's own <form>: keep Enter from submitting the page.
    form.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && event.target.tagName === "INPUT") {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    return [bar, form];
  }

  let BLOCK_TYPES = {};
  const blockTypes = () => BLOCK_TYPES;

  // --- Blocks <-> document ----------------------------------------------------------------------

  function blocksToDom(blocks, imageUrls) {
    const holder = document.createElement("div");
    for (const block of Array.isArray(blocks) ? blocks : []) {
      if (!block || typeof block !== "object") continue;
      if (block.type === "heading") {
        const level = [2, 3, 4].includes(block.level) ? block.level : 2;
        holder.append(el(`h${level}`, { "data-block-id": block.id, text: block.text || "" }));
      } else if (block.type === "rich_text") {
        const template = document.createElement("template");
        template.innerHTML = block.html || ""; // sanitised by nh3 when saved; a template runs nothing
        const first = template.content.firstElementChild;
        if (first && block.id) first.setAttribute("data-block-id", block.id);
        holder.append(template.content);
      } else if (block.type === "image") {
        holder.append(
          el("figure", {
            "data-block-type": "image",
            "data-key": block.src || "",
            "data-src": imageUrls[block.src] || "",
            "data-alt": block.alt || "",
            "data-caption": block.caption || "",
            "data-decorative": String(Boolean(block.decorative)),
            "data-block-id": block.id || "",
          }),
        );
      } else if (["cta", "columns", "slot"].includes(block.type)) {
        holder.append(el("div", { "data-embed": "", "data-block": JSON.stringify(block) }));
      }
    }
    return holder;
  }

  function editorToBlocks(editor) {
    const blocks = [];
    const used = new Set();
    const serializer = DOMSerializer.fromSchema(editor.schema);
    let run = [];
    const idFor = (wanted, index) => {
      let id = wanted && ID.test(wanted) && !used.has(wanted) ? wanted : `b${index}`;
      while (used.has(id)) id = randomId();
      used.add(id);
      return id;
    };
    const flush = (index) => {
      const nodes = run.filter((node) => node.type.name !== "paragraph" || node.content.size > 0);
      run = [];
      if (!nodes.length) return;
      const holder = document.createElement("div");
      holder.append(serializer.serializeFragment(Fragment.from(nodes)));
      holder.querySelectorAll("[data-block-id]").forEach((node) => node.removeAttribute("data-block-id"));
      blocks.push({ type: "rich_text", id: idFor(nodes[0].attrs.blockId, index), html: holder.innerHTML });
    };
    editor.state.doc.forEach((node, offset, index) => {
      if (RICH.has(node.type.name)) {
        run.push(node);
        return;
      }
      flush(index);
      if (node.type.name === "heading") {
        const text = node.textContent.trim();
        if (text) blocks.push({ type: "heading", id: idFor(node.attrs.blockId, index), text, level: node.attrs.level });
      } else if (node.type.name === "image") {
        if (!node.attrs.key) return; // still uploading
        const a = node.attrs;
        blocks.push({ type: "image", id: idFor(a.blockId, index), src: a.key, alt: a.decorative ? "" : a.alt.trim(), decorative: a.decorative, caption: a.caption.trim() });
      } else if (node.type.name === "blockEmbed" && node.attrs.block) {
        blocks.push({ ...node.attrs.block, id: idFor(node.attrs.block.id, index) });
      }
    });
    flush(editor.state.doc.childCount);
    return blocks;
  }

  // What the server would refuse and the author has not finished yet: the autosave waits for it
  // (the server says the same, in clean_blocks' words, to API clients and the form's own save).
  function unfinished(blocks) {
    for (const block of blocks) {
      if (block.type === "image" && !block.alt && !block.decorative) return "describe the image in its alt text (or mark it decorative)";
      if (block.type === "cta" && (!block.text || !block.url)) return "give the call to action its text and link";
      if (block.type === "slot" && !block.name) return "choose what the slot shows";
    }
    return "";
  }

  // --- Moving blocks ----------------------------------------------------------------------------

  const posOfIndex = (doc, index) => {
    let pos = 0;
    for (let i = 0; i < index; i += 1) pos += doc.child(i).nodeSize;
    return pos;
  };

  function moveBlock(editor, direction) {
    const { state, view } = editor;
    const { selection } = state;
    const index = selection.$from.index(0);
    const target = index + direction;
    if (target < 0 || target >= state.doc.childCount) return true;
    const node = state.doc.child(index);
    const start = posOfIndex(state.doc, index);
    const offset = selection.from - start;
    const tr = state.tr.delete(start, start + node.nodeSize);
    const insertAt = posOfIndex(tr.doc, target);
    tr.insert(insertAt, node);
    if (selection instanceof NodeSelection) tr.setSelection(NodeSelection.create(tr.doc, insertAt));
    else tr.setSelection(TextSelection.near(tr.doc.resolve(Math.min(insertAt + offset, tr.doc.content.size))));
    view.dispatch(tr.scrollIntoView());
    editor.storage.blockKeys.announce(direction < 0 ? "Block moved up." : "Block moved down.");
    return true;
  }

  // --- The widget -------------------------------------------------------------------------------

  function toolbarButtons(rich) {
    const { editor } = rich;
    const c = () => editor.chain().focus();
    return [
      // Each label starts with the button's visible text, so speech input ("click H2") finds it (WCAG 2.5.3).
      { label: "H2: heading 2", text: "H2", keys: "Control+Alt+2", run: () => c().toggleHeading({ level: 2 }).run(), active: () => editor.isActive("heading", { level: 2 }) },
      { label: "H3: heading 3", text: "H3", keys: "Control+Alt+3", run: () => c().toggleHeading({ level: 3 }).run(), active: () => editor.isActive("heading", { level: 3 }) },
      { label: "H4: heading 4", text: "H4", keys: "Control+Alt+4", run: () => c().toggleHeading({ level: 4 }).run(), active: () => editor.isActive("heading", { level: 4 }) },
      { label: "Bold", text: "B", keys: "Control+B", run: () => c().toggleBold().run(), active: () => editor.isActive("bold") },
      { label: "Italic", text: "I", keys: "Control+I", run: () => c().toggleItalic().run(), active: () => editor.isActive("italic") },
      { label: "Code", text: "</>", keys: "Control+E", run: () => c().toggleCode().run(), active: () => editor.isActive("code") },
      { label: "Link", text: "Link", keys: "Control+K", run: () => rich.openLink(), active: () => editor.isActive("link") },
      { label: "Bulleted list", text: "• List", keys: "Control+Shift+8", run: () => c().toggleBulletList().run(), active: () => editor.isActive("bulletList") },
      { label: "1. List: numbered list", text: "1. List", keys: "Control+Shift+7", run: () => c().toggleOrderedList().run(), active: () => editor.isActive("orderedList") },
      { label: "Quote", text: "“ ”", keys: "Control+Shift+B", run: () => c().toggleBlockquote().run(), active: () => editor.isActive("blockquote") },
      { label: "Code block", text: "{ }", keys: "Control+Alt+C", run: () => c().toggleCodeBlock().run(), active: () => editor.isActive("codeBlock") },
      { label: "Divider", text: "—", run: () => c().setHorizontalRule().run() },
      { separator: true },
      { label: "Image", text: "Image", run: () => rich.fileInput.click() },
      { label: "Button: call to action", text: "Button", run: () => rich.insertEmbed({ type: "cta", text: "", url: "", style: "primary" }) },
      { label: "Columns", text: "Columns", run: () => rich.insertEmbed({ type: "columns", columns: [[], []] }) },
      { label: "Slot", text: "Slot", run: () => rich.insertEmbed({ type: "slot", name: "", options: {} }) },
      { separator: true },
      { label: "Move block up", text: "↑", keys: "Alt+ArrowUp", run: () => moveBlock(editor, -1) },
      { label: "Move block down", text: "↓", keys: "Alt+ArrowDown", run: () => moveBlock(editor, 1) },
      { label: "Undo", text: "↶", keys: "Control+Z", run: () => c().undo().run() },
      { label: "Redo", text: "↷", keys: "Control+Shift+Z", run: () => c().redo().run() },
    ];
  }

  function linkDialog(rich) {
    const url = el("input", { type: "text", inputmode: "url", placeholder: "https://example.org/ or /page/" });
    const apply = el("button", { type: "submit", class: "button", text: "Apply" });
    const unlink = el("button", { type: "button", class: "button button--ghost", text: "Remove link" });
    const cancel = el("button", { type: "button", class: "button button--ghost", text: "Cancel" });
    const form = el("form", { method: "dialog" }, el("h2", { text: "Link" }), field("Address", url), el("div", { class: "rich-editor__embed-actions" }, apply, unlink, cancel));
    const dialog = el("dialog", { class: "rich-editor__dialog", "aria-label": "Link" }, form);
    rich.root.append(dialog);
    const { editor } = rich;
    const close = () => {
      dialog.close();
      editor.commands.focus();
    };
    cancel.addEventListener("click", close);
    unlink.addEventListener("click", () => {
      editor.chain().focus().extendMarkRange("link").unsetLink().run();
      dialog.close();
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      let href = url.value.trim();
      dialog.close();
      if (!href) return editor.chain().focus().extendMarkRange("link").unsetLink().run();
      if (!/^(https?:|mailto:|\/|#)/i.test(href)) href = `https://${href}`;
      if (editor.state.selection.empty && !editor.isActive("link")) {
        editor.chain().focus().insertContent({ type: "text", text: href, marks: [{ type: "link", attrs: { href } }] }).run();
      } else {
        editor.chain().focus().extendMarkRange("link").setLink({ href }).run();
      }
    });
    return () => {
      url.value = editor.getAttributes("link").href || "";
      dialog.showModal();
      url.focus();
    };
  }

  async function uploadImage(rich, file, pos) {
    if (!file || !file.type.startsWith("image/")) return;
    rich.announce(`Uploading ${file.name}…`);
    const data = new FormData();
    data.append("file", file);
    let answer;
    try {
      const response = await fetch(rich.uploadUrl, { method: "POST", body: data, headers: { "X-CSRFToken": csrfToken(rich.form) }, credentials: "same-origin" });
      answer = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error((answer.error && answer.error.message) || `The upload failed (${response.status}).`);
    } catch (error) {
      rich.announce(error.message || "The upload failed.");
      return;
    }
    const node = { type: "image", attrs: { src: answer.url, key: answer.key, alt: "", caption: "", decorative: false, blockId: null } };
    const chain = rich.editor.chain().focus();
    (typeof pos === "number" ? chain.insertContentAt(pos, node) : chain.insertContent(node)).run();
    rich.announce(`Uploaded (${answer.width} × ${answer.height}). Describe the image in its alt text.`);
  }

  // A button beside the block under the pointer: drag it to move the block.
  function dragHandle(rich) {
    const { editor } = rich;
    // For the mouse only (hidden from assistive technology): the keyboard has Alt+Arrow keys
    // and the toolbar's move buttons.
    const handle = el("div", { class: "rich-editor__handle", draggable: "true", "aria-hidden": "true", title: "Drag to move this block", text: "⠿" });
    rich.surface.append(handle);
    let blockPos = null;
    rich.surface.addEventListener("mousemove", (event) => {
      if (event.target === handle) return;
      const found = editor.view.posAtCoords({ left: event.clientX, top: event.clientY });
      if (!found) return;
      const $pos = editor.state.doc.resolve(found.inside >= 0 ? found.inside : found.pos);
      const index = $pos.depth === 0 ? $pos.index(0) : $pos.index(0);
      if (index >= editor.state.doc.childCount) return;
      blockPos = posOfIndex(editor.state.doc, index);
      const dom = editor.view.nodeDOM(blockPos);
      if (!(dom instanceof HTMLElement)) return;
      handle.style.top = `${dom.getBoundingClientRect().top - rich.surface.getBoundingClientRect().top}px`;
      handle.classList.add("is-visible");
    });
    handle.addEventListener("dragstart", (event) => {
      if (blockPos === null) return;
      const { view } = editor;
      view.dispatch(view.state.tr.setSelection(NodeSelection.create(view.state.doc, blockPos)));
      const slice = view.state.selection.content();
      view.dragging = { slice, move: true };
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", "");
      const dom = view.nodeDOM(blockPos);
      if (dom instanceof HTMLElement) event.dataTransfer.setDragImage(dom, 0, 0);
    });
  }

  function enhance(root) {
    const textarea = root.querySelector("textarea");
    if (!textarea || root.dataset.enhanced) return;
    root.dataset.enhanced = "true";
    BLOCK_TYPES = JSON.parse(document.getElementById(root.dataset.blockTypes).textContent);
    const imageUrls = JSON.parse(document.getElementById(root.dataset.imageUrls).textContent);
    let initial = [];
    try {
      initial = JSON.parse(textarea.value || "[]");
    } catch (error) {
      return; // not JSON: leave the textarea as it is, the server will say what is wrong
    }
    const label = textarea.id ? document.querySelector(`label[for="${textarea.id}"]`) : null;
    const rich = { root, form: textarea.form, uploadUrl: root.dataset.imageUpload };
    const toolbar = el("div", { class: "rich-editor__toolbar", role: "toolbar", "aria-label": "Formatting" });
    const surface = el("div", { class: "rich-editor__surface" });
    const counts = el("span", { class: "rich-editor__counts" });
    // aria-live rather than role=status: the page's own messages region is the status.
    const status = el("span", { class: "rich-editor__status", "aria-live": "polite" });
    const fileInput = el("input", { type: "file", accept: "image/png,image/jpeg,image/gif,image/webp", class: "rich-editor__file", "aria-label": "Upload an image" });
    const bar = el("div", { class: "rich-editor__bar" }, counts, status);
    root.prepend(toolbar, surface, bar, fileInput);
    textarea.hidden = true;
    if (label) label.removeAttribute("for");
    Object.assign(rich, { toolbar, surface, status, fileInput, announce: (text) => (status.textContent = text) });

    const editor = new Editor({
      element: surface,
      injectCSS: false,
      content: "",
      extensions: [
        StarterKit.configure({
          heading: { levels: [2, 3, 4] },
          link: { openOnClick: false, autolink: true, protocols: ["mailto"], HTMLAttributes: { rel: null, target: null, class: null } },
        }),
        BlockIds,
        BlockKeys,
        BlockImage,
        Embed,
        CharacterCount,
        Placeholder.configure({ placeholder: "Write here. Type ## for a heading, - for a list, > for a quote; paste or drop images." }),
      ],
      editorProps: {
        attributes: {
          class: "rich-editor__content",
          "aria-label": label ? label.textContent.trim().replace(/:$/, "") : "Body",
          "aria-multiline": "true",
          role: "textbox",
          // The field's help text and errors describe the editor as they described the textarea.
          ...(textarea.getAttribute("aria-describedby") ? { "aria-describedby": textarea.getAttribute("aria-describedby") } : {}),
        },
        // A word processor's or a web page's HTML: the schema keeps only what the editor knows
        // (and the server's nh3 the allowed tags); style attributes, handlers, <style> and
        // <script> go first, so ProseMirror's parse breaks no CSP rule.
        transformPastedHTML: (html) =>
          html
            .replace(/<(style|script|template|noscript)\b[\s\S]*?<\/\1\s*>/gi, "")
            .replace(/\s(?:style|on[a-z]+)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)/gi, ""),
        handlePaste: (view, event) => {
          const files = Array.from((event.clipboardData && event.clipboardData.files) || []).filter((file) => file.type.startsWith("image/"));
          if (!files.length) return false;
          files.forEach((file) => uploadImage(rich, file));
          return true;
        },
        handleDrop: (view, event, slice, moved) => {
          if (moved) return false;
          const files = Array.from((event.dataTransfer && event.dataTransfer.files) || []).filter((file) => file.type.startsWith("image/"));
          if (!files.length) return false;
          const at = view.posAtCoords({ left: event.clientX, top: event.clientY });
          files.forEach((file) => uploadImage(rich, file, at ? at.pos : undefined));
          return true;
        },
      },
    });
    rich.editor = editor;
    editor.storage.blockKeys.announce = rich.announce;
    const doc = PMDOMParser.fromSchema(editor.schema).parse(blocksToDom(initial, imageUrls));
    editor.commands.setContent(doc.toJSON(), { emitUpdate: false });
    rich.openLink = linkDialog(rich);
    editor.storage.blockKeys.openLink = rich.openLink;
    rich.insertEmbed = (block) => editor.chain().focus().insertContent({ type: "blockEmbed", attrs: { block: { ...block, id: randomId() } } }).run();
    fileInput.addEventListener("change", () => {
      Array.from(fileInput.files).forEach((file) => uploadImage(rich, file));
      fileInput.value = "";
    });

    const buttons = [];
    for (const spec of toolbarButtons(rich)) {
      if (spec.separator) {
        toolbar.append(el("span", { class: "rich-editor__separator", "aria-hidden": "true" }));
        continue;
      }
      const button = el("button", {
        type: "button",
        class: "rich-editor__button",
        "aria-label": spec.label,
        title: spec.keys ? `${spec.label} (${spec.keys.replace("Control", "Ctrl")})` : spec.label,
        "aria-keyshortcuts": spec.keys,
        "aria-pressed": spec.active ? "false" : null,
        text: spec.text,
      });
      button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
      button.addEventListener("click", () => spec.run());
      toolbar.append(button);
      buttons.push([button, spec]);
    }
    const refresh = () => {
      for (const [button, spec] of buttons) if (spec.active) button.setAttribute("aria-pressed", String(spec.active()));
      const words = editor.storage.characterCount.words();
      const minutes = Math.max(1, Math.floor(words / WORDS_PER_MINUTE)); // as the post page
      counts.textContent = `${words} ${words === 1 ? "word" : "words"} · ${minutes} min read`;
    };
    const write = () => {
      textarea.value = JSON.stringify(editorToBlocks(editor), null, 2);
      textarea.dispatchEvent(new Event("input", { bubbles: true })); // autosave and live previews listen
    };
    editor.on("transaction", refresh);
    editor.on("update", write);
    refresh();
    write();
    dragHandle(rich);
    root.classList.add("rich-editor--enhanced");
    if (rich.form) rich.form.classList.add("has-rich-editor");
    root.richEditor = {
      editor,
      setBlocks(blocks) {
        editor.commands.setContent(PMDOMParser.fromSchema(editor.schema).parse(blocksToDom(blocks, imageUrls)).toJSON());
        write();
      },
      getBlocks: () => editorToBlocks(editor),
      problem: () => unfinished(editorToBlocks(editor)),
      announce: rich.announce,
    };
  }

  // --- Autosave ----------------------------------------------------------------------------------

  /* A form with data-autosave posts itself (without files) there a few seconds after a change.
   * The answer: 200 {revision, edit_url, autosave_url}, which becomes the form's based_on (and,
   * for a new post, its address); 409 {error: {conflict: {revision, body, body_html}}} when
   * someone else saved since: both versions are kept (see showConflict); 400/403 a message. */
  function setUpAutosave(form) {
    let url = form.dataset.autosave;
    const basedOn = form.querySelector("input[name=based_on]");
    const root = form.querySelector("[data-rich-editor]");
    const status = form.querySelector(".rich-editor__status");
    if (!url || !basedOn || !status) return;
    const say = (text) => (status.textContent = text);
    let timer = null;
    let firstChange = 0;
    let inFlight = false;
    let paused = false;
    const signature = (data) => {
      const copy = new URLSearchParams();
      for (const [name, value] of data) if (name !== "based_on" && name !== "csrfmiddlewaretoken") copy.append(name, value);
      return copy.toString();
    };
    const formData = () => {
      const data = new FormData(form);
      for (const [name, value] of Array.from(data)) if (value instanceof File) data.delete(name);
      // The form's idempotency key belongs to its "Save draft" submission: autosaves are other
      // requests (each based on the revision it saw), and reusing the key would refuse them.
      data.delete("_idempotency");
      return data;
    };
    let lastSaved = signature(formData());

    const schedule = () => {
      if (paused) return;
      if (signature(formData()) === lastSaved) return;
      const now = Date.now();
      firstChange = firstChange || now;
      clearTimeout(timer);
      timer = setTimeout(save, now - firstChange > AUTOSAVE_MAX_WAIT ? 0 : AUTOSAVE_DELAY);
      say("Unsaved changes");
    };

    async function save() {
      if (paused) return;
      if (inFlight) {
        timer = setTimeout(save, AUTOSAVE_DELAY);
        return;
      }
      const data = formData();
      const sent = signature(data);
      if (sent === lastSaved) return say("Saved");
      const problem = root && root.richEditor ? root.richEditor.problem() : "";
      if (problem) return say(`Not saved yet: ${problem}.`);
      inFlight = true;
      firstChange = 0;
      say("Saving…");
      try {
        const response = await fetch(url, { method: "POST", body: data, headers: { "X-CSRFToken": csrfToken(form), Accept: "application/json" }, credentials: "same-origin" });
        const answer = await response.json().catch(() => ({}));
        const error = answer.error || {};
        if (response.ok) {
          basedOn.value = answer.revision;
          lastSaved = sent;
          if (answer.autosave_url && answer.autosave_url !== url) {
            url = form.dataset.autosave = answer.autosave_url;
            form.action = answer.edit_url;
            history.replaceState(history.state, "", answer.edit_url);
          }
          const time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
          say(`Saved at ${time} (revision ${answer.revision})`);
          form.dataset.savedRevision = answer.revision;
        } else if (response.status === 409 && error.conflict) {
          paused = true;
          say("Not saved: someone else saved this draft.");
          showConflict(error.conflict);
        } else {
          say(`Not saved: ${error.message || `the server answered ${response.status}`}`);
        }
      } catch (failure) {
        say("Not saved: the server could not be reached. Trying again…");
        timer = setTimeout(save, AUTOSAVE_MAX_WAIT);
      } finally {
        inFlight = false;
      }
      if (!paused && signature(formData()) !== lastSaved) schedule();
    }

    function showConflict(conflict) {
      const mine = root && root.richEditor ? root.richEditor.getBlocks() : null;
      const theirs = el("div", { class: "blocks rich-editor__theirs" });
      theirs.innerHTML = conflict.body_html; // rendered and sanitised by render_blocks, no style attributes
      const keepMine = el("button", { type: "button", class: "button", text: "Keep mine (save it as the newest version)" });
      const useTheirs = el("button", { type: "button", class: "button button--ghost", text: "Edit theirs" });
      const note = el("p", { text: `Revision ${conflict.revision} was saved by someone else after you opened this draft. Nothing is lost: their version is kept in the history and shown below; yours stays in the editor until you choose.` });
      const panel = el(
        "section",
        { class: "rich-editor__conflict", role: "alert", "aria-labelledby": "rich-editor-conflict-title" },
        el("h2", { id: "rich-editor-conflict-title", text: "Someone else saved this draft" }),
        note,
        el("h3", { text: `Their version (revision ${conflict.revision})` }),
        theirs,
        el("div", { class: "rich-editor__embed-actions" }, keepMine, useTheirs),
      );
      (root || form).before(panel);
      const resume = () => {
        basedOn.value = conflict.revision;
        paused = false;
      };
      keepMine.addEventListener("click", () => {
        resume();
        panel.remove();
        lastSaved = "";
        save();
      });
      useTheirs.addEventListener("click", () => {
        resume();
        root.richEditor.setBlocks(conflict.body);
        lastSaved = signature(formData());
        // Theirs is loaded; keep the author's own version one click away.
        const restore = el("button", { type: "button", class: "button button--ghost", text: "Restore my version" });
        restore.addEventListener("click", () => {
          root.richEditor.setBlocks(mine);
          panel.remove();
        });
        note.textContent = "Their version is in the editor now. Your version is kept here until you leave the page:";
        keepMine.replaceWith(restore);
        useTheirs.remove();
      });
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    form.addEventListener("submit", () => {
      paused = true; // the form's own save takes over
      clearTimeout(timer);
    });
  }

  const start = () => {
    document.querySelectorAll("[data-rich-editor]").forEach(enhance);
    // A form's plain-text stand-in for the body (data-plain-alternative) is for pages without this
    // script: once the editor is up it would only be a second place to write the same thing.
    document.querySelectorAll("[data-rich-editor][data-enhanced]").forEach((root) => {
      const form = root.closest("form");
      if (!form) return;
      form.querySelectorAll("[data-plain-alternative]").forEach((alternative) => {
        const field = alternative.querySelector("textarea, input");
        if (!field || !field.value.trim()) alternative.hidden = true;
      });
    });
    document.querySelectorAll("form[data-autosave]").forEach(setUpAutosave);
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
