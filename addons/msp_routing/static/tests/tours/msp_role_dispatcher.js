/** @odoo-module */
// A dispatcher's triage: lands on the open tickets nobody owns, opens one,
// escalates it with a reason, then claims it.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("msp_role_dispatcher", {
    steps: () => [
        {
            content: "The dispatcher lands on triage, in the MSP app",
            trigger: ".o_main_navbar .o_menu_brand:contains('MSP')",
        },
        {
            content: "Open the unowned ticket",
            trigger: ".o_data_row:contains('Tour: VPN down') .o_data_cell[name='name']",
            run: "click",
        },
        {
            content: "Escalate it",
            trigger: ".o_form_view button[name='action_msp_escalate']",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".modal .o_field_widget[name='reason'] textarea",
            run: "edit Whole office offline, CEO travelling tomorrow",
        },
        {
            content: "Confirm the escalation",
            trigger: ".modal .modal-footer button[name='action_escalate']",
            run: "click",
        },
        {
            content: "Back on the ticket, claim it",
            trigger: "body:not(:has(.modal)) .o_form_view button[name='action_msp_claim']",
            run: "click",
        },
        {
            content: "Claimed: the button is gone and the ticket is the dispatcher's",
            trigger: ".o_form_view:not(:has(button[name='action_msp_claim'])) .o_field_widget[name='user_id'] input:value(Tour Dispatcher)",
        },
    ],
});
