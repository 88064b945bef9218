// The candidate's editor: one CodeMirror 6 view per file, in tabs, over the form's textareas.
//
// The page works without this script: every file is a <textarea> inside an element carrying
// data-file="NAME" (the entry file's is named "code", the others "file:NAME"), and the form posts
// them all. This script mounts an editor in each of those elements, hides the textarea and copies
// the editor's text back into it, so whatever the form posts is what the candidate sees. The
// server checks every file again (names, count, sizes): what is checked here only saves a round
// trip. docs/editor.md describes the page; scripts/build_frontend.sh builds this file.
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, highlightSpecialChars, drawSelection } from "@codemirror/view";
import { EditorState, Prec } from "@codemirror/state";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { bracketMatching, foldGutter, foldKeymap, indentOnInput, syntaxHighlighting, defaultHighlightStyle } from "@codemirror/language";
import { highlightSelectionMatches, search, searchKeymap } from "@codemirror/search";
import { python } from "@codemirror/lang-python";

const SAVE_DELAY_MS = 1500; // autosave after this long without typing
const SYNC_DELAY_MS = 250; // copy the editor's text into its textarea (what the form and session.js read)

// The same rule as drafts.words.word_count on the server.
export function wordCount(text) {
  const words = text.match(/[\p{L}\p{N}]+(?:['\u2019-][\p{L}\p{N}]+)*/gu);
  return words ? words.length : 0;
}

function utf8Bytes(text) {
  return new TextEncoder().encode(text).length;
}

function csrfToken(form) {
  const field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

function fieldName(name, entry) {
  return name === entry ? "code" : "file:" + name;
}

class FileSet {
  constructor(root) {
    this.root = root;
    this.form = root.closest("form");
    this.entry = root.dataset.entry;
    this.prose = root.dataset.mode === "prose";
    this.allowed = JSON.parse(root.dataset.allowed || "[]");
    this.limits = JSON.parse(root.dataset.limits || "{}");
    const starter = document.getElementById(root.dataset.starter);
    this.starter = starter ? JSON.parse(starter.textContent) : {};
    this.draftUrl = root.dataset.draftUrl || "";
    this.uploadUrl = root.dataset.uploadUrl || "";
    this.status = root.querySelector(".editor-status");
    this.panes = root.querySelector(".editor-panes");
    this.tabs = root.querySelector(".editor-tabs");
    this.files = new Map(); // name -> {wrapper, textarea, view (null for prose), tab}
    this.active = null;
    this.dirty = false;
    this.quiet = false; // set while the page itself replaces text (reset), so that is not autosaved
    this.saveTimer = null;
  }

  start() {
    for (const wrapper of this.root.querySelectorAll(".editor-file")) this.adopt(wrapper);
    const toolbar = this.root.querySelector(".editor-toolbar");
    if (toolbar) toolbar.hidden = false;
    if (this.tabs) this.tabs.hidden = this.prose;
    this.bindToolbar();
    this.bindUploads();
    if (this.form) {
      this.form.addEventListener("submit", () => { this.syncAll(); this.dirty = false; clearTimeout(this.saveTimer); });
    }
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") this.save({ keepalive: true }); });
    this.show(this.files.has(this.entry) ? this.entry : this.files.keys().next().value);
    this.root.classList.add("editor-ready");
  }

  // -- files ----------------------------------------------------------------------------------
  adopt(wrapper) {
    const name = wrapper.dataset.file;
    const textarea = wrapper.querySelector("textarea");
    const record = { wrapper, textarea, view: null, tab: null, syncTimer: null };
    if (this.prose) {
      textarea.addEventListener("input", () => { this.countWords(record); this.changed(); });
      textarea.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); this.submit(); }
      });
      this.countWords(record);
    } else {
      record.view = this.mount(wrapper, textarea, name, record);
      textarea.hidden = true;
      const label = wrapper.querySelector("label");
      if (label) label.hidden = true; // the tab names the file; the editor carries an aria-label
    }
    this.files.set(name, record);
    this.addTab(name, record);
    return record;
  }

  mount(wrapper, textarea, name, record) {
    const extensions = [
      lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(), foldGutter(), drawSelection(),
      indentOnInput(), syntaxHighlighting(defaultHighlightStyle, { fallback: true }), bracketMatching(),
      highlightActiveLine(), highlightSelectionMatches(), search({ top: true }),
      Prec.highest(keymap.of([{ key: "Mod-Enter", run: () => { this.submit(); return true; } }])),
      keymap.of([...defaultKeymap, ...searchKeymap, ...historyKeymap, ...foldKeymap, indentWithTab]),
      EditorView.contentAttributes.of({ "aria-label": "Editor for " + name + " (Esc then Tab leaves the editor)" }),
      EditorView.updateListener.of((update) => { if (update.docChanged) { this.scheduleSync(record); this.changed(); } }),
    ];
    if (/\.py$/.test(name)) extensions.push(python());
    const view = new EditorView({ state: EditorState.create({ doc: textarea.value, extensions }) });
    wrapper.appendChild(view.dom);
    return view;
  }

  text(name) {
    const record = this.files.get(name);
    return record.view ? record.view.state.doc.toString() : record.textarea.value;
  }

  setText(name, text) {
    const record = this.files.get(name);
    if (record.view) {
      record.view.dispatch({ changes: { from: 0, to: record.view.state.doc.length, insert: text } });
      this.sync(record);
    } else {
      record.textarea.value = text;
      this.countWords(record);
    }
  }

  collect() {
    const files = {};
    for (const name of this.files.keys()) files[name] = this.text(name);
    return files;
  }

  createFile(name, text) {
    const wrapper = document.createElement("div");
    wrapper.className = "editor-file";
    wrapper.dataset.file = name;
    const textarea = document.createElement("textarea");
    textarea.name = fieldName(name, this.entry);
    textarea.value = text;
    textarea.spellcheck = false;
    wrapper.appendChild(textarea);
    this.panes.appendChild(wrapper);
    return this.adopt(wrapper);
  }

  removeFile(name) {
    const record = this.files.get(name);
    if (record.view) record.view.destroy();
    record.wrapper.remove();
    if (record.tab) record.tab.remove();
    this.files.delete(name);
  }

  renameFile(from, to) {
    const record = this.files.get(from);
    this.files.delete(from);
    this.files.set(to, record);
    record.wrapper.dataset.file = to;
    record.textarea.name = fieldName(to, this.entry);
    record.tab.textContent = to;
    record.tab.dataset.tabFile = to;
    this.active = this.active === from ? to : this.active;
  }

  // -- tabs -----------------------------------------------------------------------------------
  addTab(name, record) {
    if (!this.tabs) return;
    const tab = document.createElement("button");
    tab.type = "button";
    tab.className = "editor-tab";
    tab.setAttribute("role", "tab");
    tab.dataset.tabFile = name;
    tab.textContent = name;
    tab.addEventListener("click", () => this.show(tab.dataset.tabFile));
    this.tabs.appendChild(tab);
    record.tab = tab;
  }

  show(name) {
    this.active = name;
    for (const [fileName, record] of this.files) {
      const on = fileName === name;
      record.wrapper.hidden = !on;
      if (record.tab) { record.tab.setAttribute("aria-selected", on ? "true" : "false"); record.tab.classList.toggle("active", on); }
    }
  }

  // -- checks (convenience: the server decides) -----------------------------------------------
  nameProblem(name, { renaming } = {}) {
    if (!name) return "Give the file a name.";
    if (!this.allowed.includes(name)) return "This challenge takes " + this.allowed.join(", ") + "; " + name + " is not one of them.";
    if (this.files.has(name)) return name + " is already open.";
    if (!renaming && this.files.size >= (this.limits.max_files || Infinity)) return "At most " + this.limits.max_files + " files.";
    return null;
  }

  sizeProblem(files) {
    let total = 0;
    for (const [name, text] of Object.entries(files)) {
      const size = utf8Bytes(text);
      if (this.limits.max_file_bytes && size > this.limits.max_file_bytes) return name + " is larger than " + Math.floor(this.limits.max_file_bytes / 1024) + " KiB.";
      total += size;
    }
    if (this.limits.max_total_bytes && total > this.limits.max_total_bytes) return "All files together are limited to " + Math.floor(this.limits.max_total_bytes / 1024) + " KiB.";
    return null;
  }

  // -- toolbar --------------------------------------------------------------------------------
  bindToolbar() {
    const on = (action, handler) => {
      const button = this.root.querySelector("[data-action=" + action + "]");
      if (button) button.addEventListener("click", (event) => { event.preventDefault(); handler(); });
    };
    on("add", () => {
      const missing = this.allowed.filter((name) => !this.files.has(name));
      const name = (window.prompt("New file name (this challenge takes " + this.allowed.join(", ") + ")", missing[0] || "") || "").trim();
      if (!name) return;
      const problem = this.nameProblem(name);
      if (problem) return this.say(problem, true);
      this.createFile(name, this.starter[name] || "");
      this.show(name);
      this.changed();
    });
    on("rename", () => {
      const from = this.active;
      if (from === this.entry) return this.say(this.entry + " is the entry file: it keeps its name.", true);
      const to = (window.prompt("Rename " + from + " to", from) || "").trim();
      if (!to || to === from) return;
      const problem = this.nameProblem(to, { renaming: true });
      if (problem) return this.say(problem, true);
      this.renameFile(from, to);
      this.changed();
    });
    on("delete", () => {
      const name = this.active;
      if (name === this.entry) return this.say(this.entry + " is the entry file: it cannot be deleted.", true);
      if (!window.confirm("Delete " + name + "?")) return;
      this.removeFile(name);
      this.show(this.entry);
      this.changed();
    });
    on("reset-file", () => {
      const name = this.active;
      if (!window.confirm("Replace " + name + " with the starter code?")) return;
      this.setText(name, this.starter[name] || "");
      this.say(name + " is back to the starter code.");
    });
    on("reset-all", () => {
      if (!window.confirm("Replace every file with the starter files? Your saved draft is deleted.")) return;
      this.quiet = true;
      for (const name of [...this.files.keys()]) if (!(name in this.starter)) this.removeFile(name);
      for (const [name, text] of Object.entries(this.starter)) {
        if (this.files.has(name)) this.setText(name, text); else this.createFile(name, text);
      }
      this.quiet = false;
      this.show(this.entry);
      this.dirty = false;
      clearTimeout(this.saveTimer);
      this.resetDraft();
    });
    const download = this.root.querySelector("[data-action=download]");
    if (download) {
      download.addEventListener("click", async (event) => {
        if (!this.draftUrl) return; // the link downloads what the server holds
        event.preventDefault();
        if (await this.save()) window.location.href = download.href;
      });
    }
  }

  // Uploads go to the server, which reads them under the submission rules (a zip safely) and
  // sends back the files; they then open as tabs. Without this script they travel with the form.
  bindUploads() {
    if (!this.uploadUrl) return;
    for (const input of this.root.querySelectorAll("input[type=file]")) {
      input.addEventListener("change", () => this.upload(input));
    }
  }

  async upload(input) {
    const body = new FormData();
    for (const file of input.files) {
      const parts = (file.webkitRelativePath || file.name).split("/");
      // A folder: its own files only (as `python -m graders grade DIR` takes them), no hidden ones.
      if (parts.length > 2 || parts.some((part) => part.startsWith("."))) continue;
      body.append("upload", file, file.name);
    }
    input.value = ""; // read here: the form must not post them again
    if (!body.has("upload")) return this.say("Nothing to upload: a folder's own files are read, not its subfolders or hidden files.", true);
    this.say("Reading the upload…");
    let reply;
    try {
      const response = await fetch(this.uploadUrl, { method: "POST", body, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken(this.form) } });
      reply = await response.json();
      if (!response.ok) return this.say(reply.detail || "The upload was refused.", true);
    } catch (error) {
      return this.say("The upload could not be read (offline?).", true);
    }
    const names = Object.keys(reply.files);
    for (const name of names) {
      if (this.files.has(name)) this.setText(name, reply.files[name]); else this.createFile(name, reply.files[name]);
    }
    if (names.length) this.show(names.includes(this.active) ? this.active : names[0]);
    this.changed();
    this.say("Loaded " + names.join(", ") + "; saving the draft shortly.");
  }

  // -- saving ---------------------------------------------------------------------------------
  changed() {
    if (this.quiet) return;
    this.dirty = true;
    if (!this.draftUrl) return; // an assessment: session.js autosaves the form
    this.say("unsaved changes");
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.save(), SAVE_DELAY_MS);
  }

  async save({ keepalive = false } = {}) {
    clearTimeout(this.saveTimer);
    if (!this.draftUrl || !this.dirty) return true;
    const files = this.collect();
    const problem = this.sizeProblem(files);
    if (problem) { this.say("Not saved: " + problem, true); return false; }
    this.dirty = false;
    try {
      const response = await fetch(this.draftUrl, {
        method: "POST", credentials: "same-origin", keepalive: keepalive && utf8Bytes(JSON.stringify(files)) < 60000,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(this.form) }, body: JSON.stringify({ files }),
      });
      const reply = await response.json();
      if (!response.ok) { this.say("Not saved: " + (reply.detail || response.status), true); return false; }
      this.say("Draft saved " + new Date(reply.saved_at).toLocaleTimeString());
      return true;
    } catch (error) {
      this.dirty = true;
      this.say("Not saved (offline?); retrying when you type again.", true);
      return false;
    }
  }

  async resetDraft() {
    if (!this.draftUrl) { this.changed(); return; }
    try {
      const response = await fetch(this.draftUrl, { method: "DELETE", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken(this.form) } });
      this.say(response.ok ? "Every file is back to the starter code; the draft is deleted." : "The draft could not be deleted.", !response.ok);
    } catch (error) {
      this.say("The draft could not be deleted (offline?).", true);
    }
  }

  // -- the rest -------------------------------------------------------------------------------
  scheduleSync(record) {
    clearTimeout(record.syncTimer);
    record.syncTimer = setTimeout(() => this.sync(record), SYNC_DELAY_MS);
  }

  sync(record) {
    clearTimeout(record.syncTimer);
    if (!record.view) return;
    record.textarea.value = record.view.state.doc.toString();
    record.textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  syncAll() {
    for (const record of this.files.values()) this.sync(record);
  }

  submit() {
    if (!this.form) return;
    this.syncAll();
    if (this.form.requestSubmit) this.form.requestSubmit(); else this.form.submit();
  }

  countWords(record) {
    const counter = record.wrapper.querySelector(".word-count");
    if (counter) { const n = wordCount(record.textarea.value); counter.textContent = n + (n === 1 ? " word" : " words"); }
  }

  say(message, isError = false) {
    if (!this.status) return;
    this.status.textContent = message;
    this.status.classList.toggle("errorlist", Boolean(isError));
  }
}

function start() {
  for (const root of document.querySelectorAll("[data-editor]")) new FileSet(root).start();
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
