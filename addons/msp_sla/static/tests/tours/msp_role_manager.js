/** @odoo-module */
// A service manager's morning: lands on the SLA overview, opens the open
// breaches and sees how late a breached ticket is so far.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("msp_role_manager", {
    steps: () => [
        {
            content: "The manager lands in the MSP app",
            trigger: ".o_main_navbar .o_menu_brand:contains('MSP')",
        },
        {
            content: "on the SLA overview",
            trigger: ".o_breadcrumb:contains('SLA Analysis')",
        },
        {
            content: "Open Reporting",
            trigger: ".o_main_navbar [data-menu-xmlid='msp_base.menu_msp_reporting']",
            run: "click",
        },
        {
            content: "Open the open breaches",
            trigger: "[data-menu-xmlid='msp_sla.menu_msp_sla_open_breaches']",
            run: "click",
        },
        {
            content: "The breached ticket shows its overrun so far (not 00:00)",
            trigger: ".o_data_row:contains('Tour: server down') td[name='overrun_so_far_hours']:not(:contains('00:00'))",
        },
    ],
});
