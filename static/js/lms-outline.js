/* The course editor's outline (templates/lms/manage/course_outline.html): reorder sections and
 * lessons by dragging their handle (SortableJS, static/vendor/sortablejs/) or with each row's
 * Move up / Move down buttons. Either way the whole order is posted to the outline's save
 * address (outline_reorder); the status region says what happened. A refusal (409: someone
 * changed the outline meanwhile) reloads the outline as it is now. Without this script the
 * buttons are plain forms that move one step on the server. */
(function () {
  "use strict";

  function csrf(root) {
    const input = root.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function say(text) {
    const status = document.getElementById("outline-status");
    if (!status) return;
    status.textContent = ""; // a change of text is announced even when it repeats
    window.setTimeout(() => (status.textContent = text), 30);
  }

  function order(root) {
    return Array.from(root.querySelectorAll("[data-sections] > [data-section-id]")).map((section) => ({
      section: Number(section.dataset.sectionId),
      lessons: Array.from(section.querySelectorAll("[data-lessons] > [data-lesson-id]")).map((lesson) => Number(lesson.dataset.lessonId)),
    }));
  }

  function reload(root) {
    const url = root.dataset.reloadUrl;
    if (window.htmx) {
      window.htmx.ajax("GET", url, { target: "#outline", swap: "outerHTML" });
    } else {
      window.location.reload();
    }
  }

  async function save(root, done) {
    const data = new FormData();
    data.append("outline", JSON.stringify(order(root)));
    root.dataset.saving = "true";
    try {
      const response = await fetch(root.dataset.saveUrl, {
        method: "POST",
        body: data,
        headers: { "X-CSRFToken": csrf(root), Accept: "application/json" },
        credentials: "same-origin",
      });
      const answer = await response.json().catch(() => ({}));
      if (response.ok) {
        say(`${done} The new order is saved.`);
      } else {
        const message = (answer.error && answer.error.message) || `The order was not saved (the server answered ${response.status}).`;
        say(`${message} The outline now shows the order as it is saved.`);
        reload(root);
      }
    } catch (failure) {
      say("The order was not saved: the server could not be reached. The outline was reloaded.");
      reload(root);
    } finally {
      delete root.dataset.saving;
    }
  }

  function positionText(row, kind) {
    const list = row.parentElement;
    const place = Array.from(list.children).indexOf(row) + 1;
    if (kind === "section") return `position ${place} of ${list.children.length}`;
    const section = row.closest("[data-section-id]");
    return `position ${place} of ${list.children.length} in “${section.dataset.title}”`;
  }

  function moveLesson(row, up) {
    const sibling = up ? row.previousElementSibling : row.nextElementSibling;
    if (sibling) {
      if (up) sibling.before(row);
      else sibling.after(row);
      return true;
    }
    // Past the end of its section: into the neighbouring section (its end going up, its start going down).
    const section = row.closest("[data-section-id]");
    const neighbour = up ? section.previousElementSibling : section.nextElementSibling;
    if (!neighbour) return false;
    const list = neighbour.querySelector("[data-lessons]");
    if (up) list.append(row);
    else list.prepend(row);
    return true;
  }

  function moveSection(row, up) {
    const sibling = up ? row.previousElementSibling : row.nextElementSibling;
    if (!sibling) return false;
    if (up) sibling.before(row);
    else sibling.after(row);
    return true;
  }

  function onMoveClick(root, event) {
    const button = event.target.closest("button[data-move]");
    if (!button || !root.contains(button)) return;
    event.preventDefault();
    if (root.dataset.saving) return say("Still saving the last move…");
    const kind = button.dataset.move;
    const up = button.dataset.direction === "up";
    const row = button.closest(kind === "section" ? "[data-section-id]" : "[data-lesson-id]");
    const moved = kind === "section" ? moveSection(row, up) : moveLesson(row, up);
    const title = row.dataset.title;
    if (!moved) return say(`“${title}” is already ${up ? "first" : "last"}.`);
    button.focus(); // moving the row in the document loses the focus in some browsers
    save(root, `Moved “${title}” ${up ? "up" : "down"}, to ${positionText(row, kind)}.`);
  }

  function setUp(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "true";
    root.addEventListener("click", (event) => onMoveClick(root, event));
    if (!window.Sortable) return;
    const options = { animation: 150, forceFallback: true, fallbackOnBody: true };
    const sections = root.querySelector("[data-sections]");
    if (!sections) return;
    window.Sortable.create(sections, {
      ...options,
      handle: ".outline-section__handle",
      draggable: "[data-section-id]",
      onEnd: (event) => {
        if (event.oldIndex === event.newIndex) return;
        save(root, `Moved “${event.item.dataset.title}” to ${positionText(event.item, "section")}.`);
      },
    });
    root.querySelectorAll("[data-lessons]").forEach((list) => {
      window.Sortable.create(list, {
        ...options,
        group: "lessons",
        handle: ".outline-lesson__handle",
        draggable: "[data-lesson-id]",
        onEnd: (event) => {
          if (event.from === event.to && event.oldIndex === event.newIndex) return;
          save(root, `Moved “${event.item.dataset.title}” to ${positionText(event.item, "lesson")}.`);
        },
      });
    });
  }

  function setUpAll() {
    document.querySelectorAll("[data-outline]").forEach(setUp);
  }

  document.addEventListener("DOMContentLoaded", setUpAll);
  // htmx swaps the outline in after an action or a reload: set the new one up.
  document.addEventListener("htmx:afterSettle", setUpAll);
})();
