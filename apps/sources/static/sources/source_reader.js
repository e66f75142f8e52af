/*
 * The source reader: select a passage of the stored text and start a claim from it.
 *
 * The text container holds nothing but the stored text (cut into spans and links
 * at quote boundaries), so the text from the container's start to a selection
 * boundary is exactly the stored text before it. Offsets are counted in Unicode
 * code points, as Python counts characters, not in JavaScript's UTF-16 units.
 */
(function () {
    "use strict";

    function codePointLength(text) {
        let count = 0;
        for (const _ of text) {  // eslint-disable-line no-unused-vars
            count += 1;
        }
        return count;
    }

    function init() {
        const container = document.getElementById("source-text");
        if (!container) {
            return;
        }
        const characters = Array.from(container.textContent);
        const toolbar = document.getElementById("reader-toolbar");
        const info = document.getElementById("selection-info");
        const button = document.getElementById("new-claim");
        const defaultInfo = info ? info.textContent : "";

        // The offset in the stored text of a DOM boundary point (node, offset).
        function offsetOf(node, offset) {
            if (node !== container && !container.contains(node)) {
                const preceding = container.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_PRECEDING;
                return preceding ? 0 : characters.length;
            }
            const range = document.createRange();
            range.setStart(container, 0);
            range.setEnd(node, offset);
            return codePointLength(range.toString());
        }

        // The selected passage as {start, end, text}, trimmed of surrounding blanks; null if none.
        function selectedPassage() {
            const selection = window.getSelection();
            if (!selection || selection.rangeCount === 0 || selection.isCollapsed) {
                return null;
            }
            const range = selection.getRangeAt(0);
            if (!range.intersectsNode(container)) {
                return null;
            }
            let start = offsetOf(range.startContainer, range.startOffset);
            let end = offsetOf(range.endContainer, range.endOffset);
            while (start < end && /\s/.test(characters[start])) {
                start += 1;
            }
            while (end > start && /\s/.test(characters[end - 1])) {
                end -= 1;
            }
            if (start >= end) {
                return null;
            }
            return {start: start, end: end, text: characters.slice(start, end).join("")};
        }

        function showSelection() {
            if (!toolbar) {
                return;
            }
            const passage = selectedPassage();
            if (!passage) {
                info.textContent = defaultInfo;
                button.hidden = true;
                toolbar.classList.remove("has-selection");
                return;
            }
            const preview = passage.text.length > 90
                ? passage.text.slice(0, 60) + " … " + passage.text.slice(-25)
                : passage.text;
            info.textContent = "Characters " + passage.start + "–" + passage.end + " (" +
                (passage.end - passage.start) + "): “" + preview.replace(/\s+/g, " ") + "”";
            button.href = toolbar.dataset.addUrl + "&quote_start=" + passage.start + "&quote_end=" + passage.end;
            button.hidden = false;
            toolbar.classList.add("has-selection");
        }

        document.addEventListener("selectionchange", showSelection);
        if (button) {
            // Keep the selection when the button is pressed.
            button.addEventListener("mousedown", function (event) { event.preventDefault(); });
        }

        // A click on a highlight opens its claim (a new tab with Ctrl/Cmd or the middle button);
        // a drag across it selects text instead.
        function openClaim(event) {
            const mark = event.target.closest("mark.hl");
            const selection = window.getSelection();
            if (!mark || (selection && !selection.isCollapsed)) {
                return;
            }
            if (event.button === 1 || event.ctrlKey || event.metaKey) {
                window.open(mark.dataset.href, "_blank");
            } else if (event.button === 0) {
                window.location.href = mark.dataset.href;
            }
        }
        container.addEventListener("click", openClaim);
        container.addEventListener("auxclick", openClaim);

        // Hovering a claim in the list shows its quote in the text, and the other way round.
        const highlightsByClaim = new Map();
        container.querySelectorAll("mark.hl").forEach(function (link) {
            link.dataset.claims.split(" ").forEach(function (id) {
                if (!highlightsByClaim.has(id)) {
                    highlightsByClaim.set(id, []);
                }
                highlightsByClaim.get(id).push(link);
            });
        });
        document.querySelectorAll(".reader-claims li[data-claim]").forEach(function (item) {
            const links = highlightsByClaim.get(item.dataset.claim) || [];
            item.addEventListener("mouseenter", function () {
                links.forEach(function (link) { link.classList.add("focus"); });
            });
            item.addEventListener("mouseleave", function () {
                links.forEach(function (link) { link.classList.remove("focus"); });
            });
        });
        container.addEventListener("mouseover", function (event) {
            const link = event.target.closest("mark.hl");
            document.querySelectorAll(".reader-claims li.focus").forEach(function (item) {
                item.classList.remove("focus");
            });
            if (link) {
                link.dataset.claims.split(" ").forEach(function (id) {
                    const item = document.querySelector('.reader-claims li[data-claim="' + id + '"]');
                    if (item) {
                        item.classList.add("focus");
                    }
                });
            }
        });

        // Arriving from a claim's "show in the source" link: centre its quote and outline it.
        const target = /^#claim-(\d+)$/.exec(window.location.hash);
        const targetMarks = target ? (highlightsByClaim.get(target[1]) || []) : [];
        if (targetMarks.length) {
            targetMarks.forEach(function (mark) { mark.classList.add("focus"); });
            // After the browser's own jump to the (empty) #claim-N target.
            window.addEventListener("load", function () {
                window.setTimeout(function () { targetMarks[0].scrollIntoView({block: "center"}); }, 0);
            });
        }

        const markGaps = document.getElementById("mark-gaps");
        if (markGaps) {
            markGaps.addEventListener("change", function () {
                container.classList.toggle("mark-gaps", markGaps.checked);
            });
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
}());
