// Autocomplete changelist filters (apps/core/admin.py): choosing a value reloads the list filtered by it.
"use strict";
window.addEventListener("load", function () {
    django.jQuery("select[data-filter-parameter]").on("change", function () {
        const params = new URLSearchParams(window.location.search);
        params.delete("p");
        if (this.value) {
            params.set(this.dataset.filterParameter, this.value);
        } else {
            params.delete(this.dataset.filterParameter);
        }
        window.location.search = params.toString();
    });
});
