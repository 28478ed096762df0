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

// A P1 ticket past its response deadline that the cron has not flagged yet
// (stored: running): the countdown already says "breached", with the overrun
// so far next to it; never "overdue".
registry.category("web_tour.tours").add("msp_sla_countdown_past_due", {
    steps: () => [
        {
            content: "The response countdown says breached, not overdue",
            trigger:
                ".o_msp_sla_badges .o_msp_sla_countdown.o_msp_sla_breached.text-bg-danger[data-status='breached']:contains('response breached'):contains('ago')",
        },
        {
            content: "The overrun so far shows next to it",
            trigger: ".o_msp_sla_badges .o_msp_sla_overrun:contains('Overrun so far')",
        },
        {
            content: "No other word for the same situation",
            trigger: ".o_msp_sla_badges:not(:contains('overdue'))",
        },
    ],
});
