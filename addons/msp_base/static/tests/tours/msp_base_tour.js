/** @odoo-module */
// Opens the MSP app from the home menu and lands on the Service Desk queue
// with the demo tickets; then opens the Clients menu.
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("msp_base_open_app", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the MSP app",
            trigger: '.o_app[data-menu-xmlid="msp_base.menu_msp_root"]',
            run: "click",
        },
        {
            content: "The Service Desk queue lists tickets",
            trigger: ".o_list_view .o_data_row, .o_kanban_view .o_kanban_record",
        },
        {
            content: "Open the Clients menu",
            trigger: '.o_main_navbar [data-menu-xmlid="msp_base.menu_msp_clients"]',
            run: "click",
        },
        {
            content: "A demo client is there",
            trigger: ".o_kanban_record:contains('Legal Firm A LLP')",
        },
    ],
});
