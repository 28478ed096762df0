/** @odoo-module */
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
// A dispatcher sees a ticket flagged "Should be a project" in the queue,
// converts it into a blank project, moving its logged time, and opens the
// project.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("msp_convert_ticket", {
    steps: () => [
        {
            content: "The queue shows the badge on the flagged ticket",
            trigger:
                ".o_data_row:contains('Tour: tenant migration') .o_data_cell[name='msp_project_badge']:contains('Should be a project')",
        },
        {
            content: "Open the ticket",
            trigger: ".o_data_row:contains('Tour: tenant migration') .o_data_cell[name='name']",
            run: "click",
        },
        {
            content: "The form says it should be a project; convert it",
            trigger:
                ".o_form_view:has(.o_msp_should_be_project) .o_form_statusbar button[name='action_msp_convert_to_project']:contains('Convert to Project')",
            run: "click",
        },
        {
            content: "A new blank project",
            trigger: ".modal .o_field_widget[name='mode'] input[data-value='blank']",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".modal .o_field_widget[name='project_name'] input",
            run: "edit Tour Tenant Migration",
        },
        {
            content: "The logged time is shown; move it",
            trigger: ".modal .o_field_widget[name='time_action'] input[data-value='move']",
            run: "click",
        },
        {
            content: "Convert",
            trigger: ".modal .modal-footer button[name='action_convert']",
            run: "click",
        },
        {
            content: "The summary says what moved",
            trigger: ".modal .o_msp_convert_summary:contains('moved to the project')",
        },
        {
            content: "Open the project",
            trigger: ".modal .modal-footer button[name='action_open_result']",
            run: "click",
        },
        {
            content: "The new project, proposed, with its origin ticket",
            trigger:
                "body:not(:has(.modal)) .o_form_view .o_field_widget[name='msp_origin_ticket_id']:contains('Tour: tenant migration')",
        },
    ],
});
