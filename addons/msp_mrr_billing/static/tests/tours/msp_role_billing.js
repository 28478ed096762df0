/** @odoo-module */
// A billing coordinator's month end: lands on the billing runs, runs the
// cycle's billing, accepts the flagged invoice of a client and posts.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("msp_role_billing", {
    steps: () => [
        {
            content: "Billing lands in the MSP app",
            trigger: ".o_main_navbar .o_menu_brand:contains('MSP')",
        },
        {
            content: "on the billing runs",
            trigger: ".o_breadcrumb:contains('Billing Runs')",
        },
        {
            content: "Start a new run",
            trigger: ".o_control_panel .o_list_button_add",
            run: "click",
        },
        {
            content: "Run the billing",
            trigger: ".o_form_view button[name='action_run']",
            run: "click",
        },
        {
            content: "The new client's first invoice waits for review: accept it",
            trigger: ".o_field_widget[name='line_ids'] .o_data_row:contains('Tour Client Ltd') button[name='action_accept']",
            run: "click",
        },
        {
            content: "Accepted",
            trigger: ".o_field_widget[name='line_ids'] .o_data_row:contains('Tour Client Ltd'):not(:has(button[name='action_accept']))",
        },
        {
            content: "Post the accepted invoices",
            trigger: ".o_form_view button[name='action_post_accepted']",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The run says what it posted",
            trigger: ".o_notification:contains('Posted')",
        },
    ],
});
