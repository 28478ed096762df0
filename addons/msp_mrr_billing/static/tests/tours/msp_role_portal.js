/** @odoo-module */
// A client's portal user: opens a ticket with its urgency, impact and the
// affected device, sees our service level on it, then their contract.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("msp_role_portal", {
    steps: () => [
        {
            content: "Describe the problem",
            trigger: "form[action='/submitted/ticket'] input[name='subject']",
            run: "edit Laptop will not boot",
        },
        {
            content: "Work is stopped",
            trigger: "input[name='urgency'][value='stopped']",
            run: "click",
        },
        {
            content: "for me only",
            trigger: "input[name='impact'][value='me']",
            run: "click",
        },
        {
            content: "on my laptop (one of our own devices)",
            trigger: "select[name='device']",
            run: "selectByLabel TOURPORTAL-LT",
        },
        {
            content: "Details",
            trigger: "textarea[name='description']",
            run: "edit Black screen since this morning.",
        },
        {
            content: "Send it",
            trigger: "form[action='/submitted/ticket'] button[type='submit']",
            run: "click",
        },
        {
            content: "The ticket shows our service level",
            trigger: ".o_msp_ticket_sla .o_msp_sla_response",
        },
        {
            content: "and no staff-only stage buttons",
            trigger: "body:not(:has(a[href*='/ticket/close'][href*='stage'])):not(:has(button:contains('Cancelled')))",
        },
        {
            content: "Back to my account",
            trigger: ".breadcrumb a[href='/my/home'], .breadcrumb a[href='/my']",
            run: "click",
        },
        {
            content: "Open my contracts",
            trigger: "a[href='/my/contracts']",
            run: "click",
        },
        {
            content: "Open the contract",
            trigger: "a:contains('MSP Tour Portal Client')",
            run: "click",
        },
        {
            content: "It lists the services",
            trigger: "h4:contains('Services')",
        },
    ],
});
