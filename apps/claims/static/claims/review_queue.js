// The review queue's keys: j/k move between claims, x selects the current one.
"use strict";
(function () {
    const boxes = () => Array.from(document.querySelectorAll("#review-queue input[name=claims]"));
    document.addEventListener("keydown", function (event) {
        if (event.altKey || event.ctrlKey || event.metaKey || event.target.matches("input[type=text], select")) {
            return;
        }
        const all = boxes();
        const current = all.indexOf(document.activeElement);
        if (event.key === "j" || event.key === "k") {
            const next = event.key === "j" ? Math.min(current + 1, all.length - 1) : Math.max(current - 1, 0);
            if (all[next]) { all[next].focus(); all[next].closest("tr").scrollIntoView({block: "nearest"}); }
            event.preventDefault();
        } else if (event.key === "x" && current >= 0) {
            all[current].checked = !all[current].checked;
            event.preventDefault();
        }
    });
})();
