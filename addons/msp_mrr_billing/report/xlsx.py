# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Write a recordset's chosen columns to an XLSX workbook (xlsxwriter), and
hand it to the browser as a downloadable attachment."""

import io

import xlsxwriter

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(record, field):
    value = record[field.name]
    if field.type == "many2one":
        return value.sudo().display_name or ""
    if field.type in ("one2many", "many2many"):
        return ", ".join(value.sudo().mapped("display_name"))
    if field.type == "selection":
        labels = dict(field._description_selection(record.env))
        return labels.get(value, "") if value else ""
    if field.type == "boolean":
        return bool(value)
    if value is False or value is None:
        return "" if field.type not in ("float", "monetary", "integer") else 0
    return value


def workbook_bytes(records, columns, sheet_name):
    """The XLSX file of ``records``: one header row of field labels, then
    one row per record, in the recordset's order."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet(sheet_name[:31])
    bold = book.add_format({"bold": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    datetime_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    number = book.add_format({"num_format": "#,##0.00"})
    fields_ = [records._fields[name] for name in columns]
    for col, field in enumerate(fields_):
        sheet.write(0, col, field._description_string(records.env), bold)
        sheet.set_column(col, col, 14 if field.type in ("date", "float") else 28)
    for row, record in enumerate(records, 1):
        for col, field in enumerate(fields_):
            value = _cell(record, field)
            if field.type == "datetime" and value:
                sheet.write_datetime(row, col, value, datetime_format)
            elif field.type == "date" and value:
                sheet.write_datetime(row, col, value, date_format)
            elif field.type in ("float", "monetary"):
                sheet.write_number(row, col, value, number)
            else:
                sheet.write(row, col, value)
    sheet.freeze_panes(1, 0)
    book.close()
    return output.getvalue()


def download_action(records, columns, sheet_name, filename):
    """An attachment holding the workbook (readable by its creator only: it
    has no record) and the action that downloads it."""
    attachment = records.env["ir.attachment"].create(
        {
            "name": filename,
            "raw": workbook_bytes(records, columns, sheet_name),
            "res_model": records._name,
            "mimetype": XLSX_MIMETYPE,
        }
    )
    return {
        "type": "ir.actions.act_url",
        "url": f"/web/content/{attachment.id}?download=true",
        "target": "self",
    }
