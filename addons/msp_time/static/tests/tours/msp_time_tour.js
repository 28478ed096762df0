/** @odoo-module */
// A technician with a running timer sees it in the systray, stops it there
// and lands on the entry with its description prefilled.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("msp_time_systray_stop", {
    steps: () => [
        {
            content: "The running timer shows in the systray with its ticket",
            trigger: ".o_msp_timer_systray .o_msp_timer_label:contains('Tour printer')",
        },
        {
            content: "It shows the elapsed time",
            trigger: ".o_msp_timer_systray .o_msp_timer_elapsed:contains('0:1')",
        },
        {
            content: "Stop it",
            trigger: ".o_msp_timer_systray .o_msp_timer_stop",
            run: "click",
        },
        {
            content: "The entry opens with its description prefilled",
            trigger: ".modal .o_field_widget[name='name'] textarea:value(Tour printer)",
        },
        {
            content: "and a work type filled in",
            trigger: ".modal .o_field_widget[name='msp_work_type_id'] input:value(Included)",
        },
        {
            content: "Save it",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The systray no longer shows a timer",
            trigger: "body:not(:has(.o_msp_timer_systray))",
        },
    ],
});
