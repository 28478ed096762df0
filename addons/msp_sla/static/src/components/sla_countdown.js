/** @odoo-module */
// A badge per SLA clock: "P1 · 22 min to response", at risk, breached, met,
// paused. Re-renders every 30 s so the countdown moves without a reload.
import {Component, onWillUnmount, useState} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {standardFieldProps} from "@web/views/fields/standard_field_props";

const PRIORITY_CODE = {3: "P1", 2: "P2", 1: "P3", 0: "P4"};

export function formatSpan(minutes, coarse = false) {
    const abs = Math.abs(Math.round(minutes));
    if (abs < 60) {
        return `${abs} min`;
    }
    if (abs < 48 * 60) {
        const h = Math.floor(abs / 60);
        const m = abs % 60;
        return m && !coarse ? `${h} h ${String(m).padStart(2, "0")}` : `${h} h`;
    }
    return `${Math.round(abs / 1440)} d`;
}

export class SlaCountdown extends Component {
    static template = "msp_sla.SlaCountdown";
    static props = {
        ...standardFieldProps,
        statusField: {type: String},
        label: {type: String, optional: true},
    };

    setup() {
        this.clock = useState({now: luxon.DateTime.now()});
        const timer = setInterval(() => {
            this.clock.now = luxon.DateTime.now();
        }, 30000);
        onWillUnmount(() => clearInterval(timer));
    }

    get storedStatus() {
        return this.props.record.data[this.props.statusField] || "none";
    }

    /**
     * The status as it stands now: a running clock (on track or at risk)
     * whose deadline has passed is breached, whatever the stored status says
     * until the cron flags it (same rule as the ticket's
     * _msp_sla_effective_status). One word for one situation: "breached".
     */
    get status() {
        const stored = this.storedStatus;
        const left = this.minutesLeft;
        if (left !== null && left <= 0 && ["running", "at_risk"].includes(stored)) {
            return "breached";
        }
        return stored;
    }

    get code() {
        return PRIORITY_CODE[this.props.record.data.priority] || "";
    }

    get minutesLeft() {
        const deadline = this.props.record.data[this.props.name];
        return deadline ? deadline.diff(this.clock.now, "minutes").minutes : null;
    }

    get text() {
        const label = this.props.label;
        const left = this.minutesLeft;
        switch (this.status) {
            case "paused":
                return _t("%(code)s · %(label)s paused", {code: this.code, label});
            case "met":
                return _t("%(code)s · %(label)s met", {code: this.code, label});
            case "breached":
                if (left !== null && left <= 0) {
                    return _t("%(code)s · %(label)s breached %(span)s ago", {
                        code: this.code,
                        label,
                        span: formatSpan(left, true),
                    });
                }
                if (left !== null) {
                    return _t("%(code)s · breached · %(span)s to %(label)s", {
                        code: this.code,
                        label,
                        span: formatSpan(left),
                    });
                }
                return _t("%(code)s · %(label)s breached", {code: this.code, label});
            case "client_closed":
                return _t("%(code)s · %(label)s: closed by client", {
                    code: this.code,
                    label,
                });
            default:
                if (left === null) {
                    return "";
                }
                return _t("%(code)s · %(span)s to %(label)s", {
                    code: this.code,
                    label,
                    span: formatSpan(left),
                });
        }
    }

    get badgeClass() {
        return (
            {
                breached: "text-bg-danger",
                at_risk: "text-bg-warning",
                paused: "text-bg-secondary",
                met: "text-bg-success",
                running: "text-bg-info",
            }[this.status] || "text-bg-light"
        );
    }
}

export const slaCountdown = {
    component: SlaCountdown,
    displayName: _t("SLA countdown"),
    supportedTypes: ["datetime"],
    fieldDependencies: ({options}) => [
        {name: options.status_field, type: "selection"},
        {name: "priority", type: "selection"},
    ],
    extractProps: ({options}) => ({
        statusField: options.status_field,
        label: options.label || "",
    }),
};

registry.category("fields").add("msp_sla_countdown", slaCountdown);
