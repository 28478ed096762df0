/** @odoo-module */
// A technician's day: lands on the ticket queue in the MSP app, opens a
// ticket, times the work, stops the timer and finds the entry in My Day.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("msp_role_technician", {
    steps: () => [
        {
            content: "The technician lands in the MSP app, on the queue",
            trigger: ".o_main_navbar .o_menu_brand:contains('MSP')",
        },
        {
            content: "Open the ticket from the queue",
            trigger: ".o_data_row:contains('Tour: printer jam') .o_data_cell[name='name']",
            run: "click",
        },
        {
            content: "Start the timer on the ticket",
            trigger: ".o_form_view button[name='msp_action_start_timer']",
            run: "click",
        },
        {
            content: "The running timer shows in the systray",
            trigger: ".o_msp_timer_systray .o_msp_timer_label:contains('Tour: printer jam')",
        },
        {
            content: "Stop it",
            trigger: ".o_msp_timer_systray .o_msp_timer_stop",
            run: "click",
        },
        {
            content: "Describe the work",
            trigger: ".modal .o_field_widget[name='name'] textarea",
            run: "edit Cleared the jam, replaced the fuser",
        },
        {
            content: "Save the entry",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The timer is gone",
            trigger: "body:not(:has(.o_msp_timer_systray))",
        },
        {
            content: "Open Time",
            trigger: ".o_main_navbar [data-menu-xmlid='msp_time.menu_msp_time']",
            run: "click",
        },
        {
            content: "Open My Day",
            trigger: "[data-menu-xmlid='msp_time.menu_msp_time_my_day']",
            run: "click",
        },
        {
            content: "The entry is in My Day, on its ticket",
            trigger: ".o_form_view .o_data_row:contains('Cleared the jam'):contains('Tour: printer jam')",
        },
    ],
});
