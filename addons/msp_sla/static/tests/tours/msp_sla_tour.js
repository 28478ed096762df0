/** @odoo-module */
// A dispatcher opens a fresh P1 ticket and sees its SLA countdown badges.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("msp_sla_countdown_badge", {
    steps: () => [
        {
            content: "The response countdown shows on the form",
            trigger: ".o_msp_sla_badges .o_msp_sla_countdown:contains('to response')",
        },
        {
            content: "The resolution countdown too",
            trigger: ".o_msp_sla_badges .o_msp_sla_countdown:contains('to resolution')",
        },
        {
            content: "It is a P1 badge",
            trigger: ".o_msp_sla_badges .o_msp_sla_countdown:contains('P1')",
        },
    ],
});
