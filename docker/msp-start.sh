#!/bin/bash
# First start: create database $MSP_DB with every msp addon and demo data.
# Every start: serve it on :8069. Runs inside the official odoo:18.0 image,
# whose /entrypoint.sh waits for PostgreSQL and passes HOST/USER/PASSWORD.
set -euo pipefail
db="${MSP_DB:-msp}"
addons=$(cd /mnt/extra-addons && ls -d msp_*/ | tr -d / | paste -sd, -)
installed=$(PGPASSWORD="${PASSWORD:-odoo}" psql -h "${HOST:-db}" \
    -U "${USER:-odoo}" -d "$db" -tAc \
    "SELECT count(*) FROM ir_module_module WHERE name = 'msp_base' AND state = 'installed'" \
    2>/dev/null || echo 0)
if [ "$installed" != "1" ]; then
    echo "msp: installing $addons into database $db (first start)"
    /entrypoint.sh odoo -d "$db" -i "$addons" --stop-after-init
fi
exec /entrypoint.sh odoo -d "$db" --db-filter "^${db}\$"
