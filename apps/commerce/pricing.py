"""What a checkout costs: shipping per shop part, vouchers and tax by country.

Pure arithmetic over loaded rows: no queries here (the checkout services load what is priced in a
flat number of queries and hand it over). All amounts are ``Decimal`` in ``Money``, rounded to
cents with ROUND_HALF_UP, never floats.

Tax: with ``SHOP_PRICES_INCLUDE_TAX`` the prices already hold it (the tax is the part of the
gross, shown "incl."); without, it is added on top. Both ways it is computed per line on the
line's total after its discount, and on each part's shipping, at the shipping country's rate.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from djmoney.money import Money

from apps.commerce.models import ProductType, ShippingMethod, Voucher

CENT = Decimal("0.01")
ZERO = Decimal(0)


def cents(value: Decimal) -> Decimal:
    """``value`` rounded to cents, half up (2.345 -> 2.35)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class PricedLine:
    """One line as it is priced: what the summary shows and the order line copies."""

    variant_id: int
    product_id: int
    shop_id: int
    name: str
    variant_name: str
    sku: str
    kind: str  # ProductType.Kind
    quantity: int
    unit_price: Decimal
    weight_grams: int
    discount: Decimal = ZERO
    tax: Decimal = ZERO
    # The product's own name, which the order line copies beside variant_name (``name`` is
    # both, as the summary shows them: the line must not repeat the variant's name).
    product_name: str = ""

    @property
    def total(self) -> Decimal:
        return cents(self.unit_price * self.quantity)

    @property
    def ships(self) -> bool:
        return self.kind == ProductType.Kind.PHYSICAL


@dataclass
class PricedPart:
    """One shop's part: its lines, its shipping options and the one chosen."""

    shop_id: int
    shop_name: str
    lines: list[PricedLine]
    options: list[tuple[ShippingMethod, Decimal]] = field(default_factory=list)
    method: ShippingMethod | None = None
    shipping: Decimal = ZERO
    shipping_tax: Decimal = ZERO

    @property
    def ships(self) -> bool:
        return any(line.ships for line in self.lines)

    @property
    def subtotal(self) -> Decimal:
        return sum((line.total for line in self.lines), ZERO)

    @property
    def weight_grams(self) -> int:
        return sum(line.weight_grams * line.quantity for line in self.lines if line.ships)


@dataclass
class Totals:
    currency: str
    parts: list[PricedPart]
    prices_include_tax: bool
    tax_rate: Decimal
    subtotal: Decimal
    shipping: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal

    def money(self, amount: Decimal) -> Money:
        return Money(amount, self.currency)

    @property
    def lines(self) -> list[PricedLine]:
        return [line for part in self.parts for line in part.lines]


# --- Shipping ---------------------------------------------------------------------------------


def shipping_price(method: ShippingMethod, *, subtotal: Decimal, weight_grams: int, country: str) -> Decimal | None:
    """What ``method`` charges for a part of ``subtotal`` weighing ``weight_grams`` sent to
    ``country``, or None when it does not apply (another country, outside its weight band)."""
    if not method.is_active:
        return None
    if country and method.countries and country not in {str(code) for code in method.countries}:
        return None
    if method.kind == ShippingMethod.Kind.WEIGHT and (
        weight_grams < method.min_weight_grams
        or (method.max_weight_grams is not None and weight_grams > method.max_weight_grams)
    ):
        return None
    if method.free_above is not None and subtotal >= method.free_above.amount:
        return ZERO
    return cents(method.price.amount)


def shipping_options(part: PricedPart, methods: Iterable[ShippingMethod], *, country: str) -> list:
    """The methods of the part's shop that apply to it, each with its price, cheapest first."""
    priced = [
        (method, price)
        for method in methods
        if method.shop_id == part.shop_id
        and (price := shipping_price(method, subtotal=part.subtotal, weight_grams=part.weight_grams, country=country))
        is not None
    ]
    return sorted(priced, key=lambda pair: (pair[1], pair[0].position, pair[0].pk))


# --- Vouchers ---------------------------------------------------------------------------------


def voucher_problem(
    voucher: Voucher,
    *,
    lines: Sequence[PricedLine],
    currency: str,
    now: datetime,
    customer_uses: int,
    shop_ids: set[int] | None = None,
    product_ids: set[int] | None = None,
) -> str:
    """Why ``voucher`` cannot discount these lines now ("" when it can). ``shop_ids`` and
    ``product_ids`` are its limits (loaded by the caller; empty: none)."""
    code = voucher.code
    if not voucher.is_active:
        return f"The voucher {code} is not valid."
    if voucher.starts_at and now < voucher.starts_at:
        return f"The voucher {code} is not valid yet."
    if voucher.ends_at and now >= voucher.ends_at:
        return f"The voucher {code} has expired."
    if voucher.usage_limit is not None and voucher.used >= voucher.usage_limit:
        return f"The voucher {code} has been used up."
    if voucher.per_customer_limit is not None and customer_uses >= voucher.per_customer_limit:
        return f"You have already used the voucher {code} as often as it allows."
    if voucher.currency != currency and (voucher.kind == Voucher.Kind.FIXED or voucher.min_spend is not None):
        return f"The voucher {code} is for purchases in {voucher.currency}."
    eligible = eligible_lines(lines, shop_ids=shop_ids or set(), product_ids=product_ids or set())
    if not eligible:
        return f"The voucher {code} does not apply to anything in your cart."
    if voucher.min_spend is not None:
        spent = sum((line.total for line in lines), ZERO)
        if spent < voucher.min_spend.amount:
            return f"The voucher {code} needs a spend of at least {Money(voucher.min_spend.amount, currency)}."
    return ""


def eligible_lines(lines: Sequence[PricedLine], *, shop_ids: set[int], product_ids: set[int]) -> list[PricedLine]:
    """The lines a voucher limited to ``shop_ids`` / ``product_ids`` discounts (no limit: all)."""
    return [
        line
        for line in lines
        if (not shop_ids or line.shop_id in shop_ids) and (not product_ids or line.product_id in product_ids)
    ]


def apply_voucher(voucher: Voucher, lines: Sequence[PricedLine]) -> Decimal:
    """Set each eligible line's ``discount`` (the lines given are the eligible ones) and return
    the total. A percentage is taken of each line; a fixed amount is spread over the lines in
    proportion to their totals (the last takes the rounding's remainder), never past their sum."""
    if not lines:
        return ZERO
    if voucher.kind == Voucher.Kind.PERCENTAGE:
        rate = min(voucher.value, Decimal(100)) / Decimal(100)
        for line in lines:
            line.discount = cents(line.total * rate)
        return sum((line.discount for line in lines), ZERO)
    base = sum((line.total for line in lines), ZERO)
    if not base:
        return ZERO
    amount = min(cents(voucher.value), base)
    left = amount
    for index, line in enumerate(lines):
        share = left if index == len(lines) - 1 else min(left, cents(amount * line.total / base))
        line.discount = share
        left -= share
    return amount


# --- Tax --------------------------------------------------------------------------------------


def tax_of(amount: Decimal, rate: Decimal, *, included: bool) -> Decimal:
    """The tax in (``included``) or on ``amount`` at ``rate`` percent, rounded to cents."""
    if not rate or not amount:
        return ZERO
    if included:
        return cents(amount * rate / (Decimal(100) + rate))
    return cents(amount * rate / Decimal(100))


def price(
    *,
    currency: str,
    parts: list[PricedPart],
    methods: Iterable[ShippingMethod],
    choices: dict[str, int],
    country: str,
    tax_rate: Decimal,
    voucher: Voucher | None = None,
    voucher_shop_ids: set[int] | None = None,
    voucher_product_ids: set[int] | None = None,
    included: bool | None = None,
) -> Totals:
    """The totals of ``parts``: each part's shipping (the method chosen in ``choices``, shop id
    as a string -> method id, when it applies; else the cheapest that does), the voucher's
    discount (already checked by the caller with ``voucher_problem``) and the tax."""
    included = settings.SHOP_PRICES_INCLUDE_TAX if included is None else included
    methods = list(methods)
    for part in parts:
        part.options = shipping_options(part, methods, country=country) if part.ships else []
        part.method, part.shipping = None, ZERO
        if part.options:
            chosen = choices.get(str(part.shop_id))
            part.method, part.shipping = next(
                ((method, cost) for method, cost in part.options if method.pk == chosen), part.options[0]
            )
    lines = [line for part in parts for line in part.lines]
    for line in lines:
        line.discount = ZERO
    discount = ZERO
    if voucher is not None:
        eligible = eligible_lines(lines, shop_ids=voucher_shop_ids or set(), product_ids=voucher_product_ids or set())
        discount = apply_voucher(voucher, eligible)
    for line in lines:
        line.tax = tax_of(line.total - line.discount, tax_rate, included=included)
    for part in parts:
        part.shipping_tax = tax_of(part.shipping, tax_rate, included=included)
    subtotal = sum((line.total for line in lines), ZERO)
    shipping = sum((part.shipping for part in parts), ZERO)
    tax = sum((line.tax for line in lines), ZERO) + sum((part.shipping_tax for part in parts), ZERO)
    total = subtotal + shipping - discount + (ZERO if included else tax)
    return Totals(currency, parts, included, tax_rate, subtotal, shipping, discount, tax, total)
