// The one file bundled into static/vendor/tiptap/tiptap.bundle.min.js (make vendor-editor):
// Tiptap and ProseMirror as a single IIFE exposing window.Tiptap, so the site needs no build
// step and no module loader at run time. Export only what static/js/rich-editor.js uses.
export { Editor, Extension, Node, mergeAttributes, InputRule } from "@tiptap/core";
export { StarterKit } from "@tiptap/starter-kit";
export { Image } from "@tiptap/extension-image";
export { CharacterCount, Placeholder } from "@tiptap/extensions";
export { TextSelection, NodeSelection, Plugin, PluginKey } from "@tiptap/pm/state";
export { DOMParser as PMDOMParser, DOMSerializer, Fragment } from "@tiptap/pm/model";
