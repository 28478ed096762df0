/** @odoo-module */
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
// A client's portal user: from their account to the project's page, opens
// the change order waiting for them and approves it.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("msp_change_order_portal", {
    steps: () => [
        {
            content: "Open my projects",
            trigger: "a[href='/my/projects']",
            run: "click",
        },
        {
            content: "Open the project",
            trigger: "a:contains('COTour Tenant Migration')",
            run: "click",
        },
        {
            content: "The project lists its change orders",
            trigger: ".o_msp_project_change_orders h4:contains('Change orders')",
        },
        {
            content: "Open the change order waiting for me",
            trigger:
                ".o_msp_project_change_orders tr:has(.o_msp_co_state:contains('Awaiting your decision')) a.o_msp_change_order_link",
            run: "click",
        },
        {
            content: "It shows the hours it adds",
            trigger: ".o_msp_co_hours:contains('10 h')",
        },
        {
            content: "Approve it",
            trigger: "button.o_msp_co_approve",
            run: "click",
        },
        {
            content: "It is approved, by me",
            trigger: ".o_msp_co_message.alert-success",
        },
        {
            content: "with who and when",
            trigger: ".o_msp_co_decided:contains('COTour Client Contact')",
        },
        {
            content: "and no buttons left",
            trigger: "body:not(:has(button.o_msp_co_approve))",
        },
    ],
});
