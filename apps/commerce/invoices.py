"""Invoices as PDF (fpdf2): the whole order for its customer and staff, one shop's part for that
shop's owner (their lines, their shipping, their contact; never the other shops').

Text goes through ``apps.core.platform.pdf.latin1`` (fpdf2's built-in fonts speak Latin-1 only: "€"
as "EUR", other letters outside it as "?"), so an odd product name never breaks an invoice.
Amounts are written as their currency code and figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from fpdf import FPDF

from apps.commerce.models import Order, OrderShop
from apps.commerce.services.orders import refunded_for_shop
from apps.core.platform import latin1


def _money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


def _address(address: dict) -> list[str]:
    keys = ("name", "line1", "line2", "postal_code", "city", "region", "country")
    return [str(address[key]) for key in keys if address.get(key)]


def invoice_pdf(*, order: Order, parts: Sequence[OrderShop]) -> bytes:
    """The invoice of ``parts`` of ``order`` (all of them: the whole order) as PDF bytes.
    ``parts`` come with their lines and shops prefetched."""
    whole = len(parts) == order.parts.count()
    pdf = FPDF(format="A4")
    pdf.set_title(latin1(f"Invoice {order.number}"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, latin1(f"Invoice {order.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    when = order.paid_at or order.created_at
    pdf.cell(
        0, 6, latin1(f"Date: {when:%Y-%m-%d}    Status: {order.get_status_display()}"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.cell(0, 6, latin1(f"Customer: {order.email}"), new_x="LMARGIN", new_y="NEXT")
    for row in _address(order.billing_address or order.shipping_address):
        pdf.cell(0, 5, latin1(row), new_x="LMARGIN", new_y="NEXT")
    currency = order.currency
    total = Decimal(0)
    for part in parts:
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 12)
        seller = part.shop.name + (f" ({part.shop.contact_email})" if part.shop.contact_email else "")
        pdf.cell(0, 8, latin1(f"Sold by {seller}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        with pdf.table(
            col_widths=(90, 25, 15, 30, 30), text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT")
        ) as table:
            table.row(["Item", "SKU", "Qty", "Unit price", "Total"])
            for line in part.lines.all():
                name = line.product_name + (f" ({line.variant_name})" if line.variant_name else "")
                table.row(
                    [
                        latin1(name),
                        latin1(line.sku),
                        str(line.quantity),
                        _money(line.unit_price.amount, currency),
                        _money(line.total.amount, currency),
                    ]
                )
                total += line.total.amount
            if part.shipping_price.amount:
                table.row(
                    [
                        latin1(f"Shipping: {part.shipping_name}"),
                        "",
                        "",
                        "",
                        _money(part.shipping_price.amount, currency),
                    ]
                )
                total += part.shipping_price.amount
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 11)
    if whole:
        rows = [
            ("Subtotal", order.subtotal.amount),
            ("Shipping", order.shipping_total.amount),
            ("Discount", -order.discount_total.amount),
            ("Total", order.total.amount),
        ]
        tax_note = "included" if order.prices_include_tax else "added"
        rows.insert(3, (f"Tax ({tax_note})", order.tax_total.amount))
    else:
        rows = [("Total of these items", total)]
    refunded = order.refunded_total.amount if whole else sum(refunded_for_shop(order, p.shop_id) for p in parts)
    if refunded:
        rows.append(("Refunded", -refunded))
    for label, amount in rows:
        pdf.cell(150, 7, latin1(label), align="R")
        pdf.cell(0, 7, _money(amount, currency), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
