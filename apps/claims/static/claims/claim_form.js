/*
 * The claim form follows the chosen kind's rules (apps.claims.kinds.KIND_RULES, passed in
 * the kind select's data-kind-rules): it says what the kind records, marks the fields the
 * kind needs and greys out the statuses it does not allow. The server checks the same rules.
 */
(function () {
    "use strict";

    function init() {
        const kind = document.getElementById("id_kind");
        if (!kind || !kind.dataset.kindRules) {
            return;
        }
        const rules = JSON.parse(kind.dataset.kindRules);
        const status = document.getElementById("id_status");
        const box = document.createElement("div");
        box.id = "kind-rule";
        box.className = "kind-rule";
        box.setAttribute("aria-live", "polite");
        const help = document.getElementById("id_kind_helptext");
        if (help) {
            help.prepend(box);
        } else {
            kind.insertAdjacentElement("afterend", box);
        }

        function rowsFor(field) {
            return Array.from(document.querySelectorAll(".field-" + field));
        }

        function apply() {
            document.querySelectorAll(".kind-required").forEach(function (element) {
                element.classList.remove("kind-required");
            });
            const rule = rules[kind.value];
            if (!rule) {
                box.textContent = "";
                box.hidden = true;
                if (status) {
                    Array.from(status.options).forEach(function (option) { option.disabled = false; });
                }
                return;
            }
            box.hidden = false;
            box.replaceChildren();
            const title = document.createElement("strong");
            title.textContent = rule.label + ": ";
            box.append(title, rule.description);
            const needs = document.createElement("div");
            needs.textContent = "Needs: " + (rule.required.length ? rule.required.join(", ") : "nothing beyond the basics") +
                ". Statuses: " + rule.statuses.join(", ") + ".";
            box.append(needs);
            rule.required.forEach(function (field) {
                rowsFor(field).forEach(function (row) { row.classList.add("kind-required"); });
            });
            if (status) {
                Array.from(status.options).forEach(function (option) {
                    option.disabled = Boolean(option.value) && !rule.statuses.includes(option.value) &&
                        option.value !== status.value;
                });
            }
        }

        kind.addEventListener("change", apply);
        if (status) {
            status.addEventListener("change", apply);
        }
        apply();
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
}());
