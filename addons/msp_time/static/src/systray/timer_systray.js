/** @odoo-module */
// The user's running timer in the systray: what it runs on, for how long,
// a click to open the record and one to stop it (which opens the entry to
// finish its description).
import {Component, onWillStart, onWillUnmount, useState} from "@odoo/owl";
import {deserializeDateTime} from "@web/core/l10n/dates";
import {registry} from "@web/core/registry";
import {useBus, useService} from "@web/core/utils/hooks";

export function formatElapsed(minutes) {
    const total = Math.max(0, Math.floor(minutes));
    const h = Math.floor(total / 60);
    const m = total % 60;
    return `${h}:${String(m).padStart(2, "0")}`;
}

export class MspTimerSystray extends Component {
    static template = "msp_time.TimerSystray";
    static props = {};

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({timer: {}, now: luxon.DateTime.now()});
        onWillStart(() => this.load());
        useBus(this.env.bus, "ACTION_MANAGER:UI-UPDATED", () => this.load());
        const tick = setInterval(() => {
            this.state.now = luxon.DateTime.now();
        }, 30000);
        onWillUnmount(() => clearInterval(tick));
    }

    async load() {
        this.state.timer = await this.orm.call(
            "account.analytic.line",
            "msp_timer_systray",
            []
        );
        this.state.now = luxon.DateTime.now();
    }

    get elapsed() {
        if (!this.state.timer.start) {
            return "";
        }
        const start = deserializeDateTime(this.state.timer.start);
        return formatElapsed(this.state.now.diff(start, "minutes").minutes);
    }

    async onOpen() {
        const timer = this.state.timer;
        if (!timer.res_model) {
            return;
        }
        await this.action.doAction({
            type: "ir.actions.act_window",
            res_model: timer.res_model,
            res_id: timer.res_id,
            views: [[false, "form"]],
        });
    }

    async onStop() {
        const action = await this.orm.call("account.analytic.line", "msp_stop_timer", []);
        this.state.timer = {};
        if (action) {
            await this.action.doAction(action, {onClose: () => this.load()});
        }
    }
}

registry
    .category("systray")
    .add("msp_time.timer", {Component: MspTimerSystray}, {sequence: 40});
