"""Carts: a signed-in customer's in SQL (Cart, CartLine), an anonymous visitor's in their session
(``{variant id: quantity}``; sessions are cache-backed, Redis in production), merged into the
account's cart on sign-in (apps/commerce/receivers.py).

Every read and write re-checks each line against the catalogue: a product no longer live, a
variant switched off or a shop closed drops the line ("X is no longer for sale and was
removed"); a line above what is available is lowered to it ("Only 2 left of X; your cart now
has 2"). A cart holds one currency: adding an item priced in another is refused. Reading a cart
costs one query (its lines with their variants, products, shops and stock), however many lines.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from djmoney.money import Money

from apps.commerce.models import Cart, CartLine, ProductVariant, Stock
from apps.commerce.selectors import catalogue
from apps.core.api import ID_MAX

SESSION_KEY = "commerce_cart"
VARIANT_RELATED = ("product__shop", "product__product_type", "stock")

Session = MutableMapping[str, Any]


@dataclass
class CartItem:
    variant: ProductVariant
    quantity: int

    @property
    def product(self) -> Any:
        return self.variant.product

    @property
    def name(self) -> str:
        return describe(self.variant)

    @property
    def unit_price(self) -> Money:
        return self.variant.price

    @property
    def total(self) -> Money:
        return Money(self.variant.price.amount * self.quantity, self.variant.price.currency)


@dataclass
class CartView:
    """A cart as re-checked just now, with what the check changed (``notices``)."""

    items: list[CartItem]
    notices: list[str] = field(default_factory=list)

    @property
    def currency(self) -> str | None:
        return str(self.items[0].variant.price.currency) if self.items else None

    @property
    def max_quantity(self) -> int:
        return settings.SHOP_MAX_LINE_QUANTITY

    @property
    def count(self) -> int:
        return sum(item.quantity for item in self.items)

    @property
    def subtotal(self) -> Money:
        currency = self.currency or settings.SHOP_DEFAULT_CURRENCY
        return Money(sum((item.total.amount for item in self.items), Decimal(0)), currency)

    @property
    def shops(self) -> list[tuple[Any, list[CartItem]]]:
        """The items grouped by shop, in the order they were added."""
        groups: dict[int, tuple[Any, list[CartItem]]] = {}
        for item in self.items:
            groups.setdefault(item.product.shop_id, (item.product.shop, []))[1].append(item)
        return list(groups.values())


def describe(variant: ProductVariant) -> str:
    return f"{variant.product.name} ({variant.name})" if variant.name else variant.product.name


def for_sale(variant: ProductVariant) -> bool:
    """Whether ``variant`` may be bought now (its product live, its shop open, itself active)."""
    product = variant.product
    return bool(variant.is_active and product.live and product.shop.is_active)


def available(variant: ProductVariant) -> int:
    try:
        return variant.stock.available
    except Stock.DoesNotExist:
        return 0


def _cap(variant: ProductVariant) -> int:
    return min(settings.SHOP_MAX_LINE_QUANTITY, available(variant))


# --- Where the lines live -----------------------------------------------------------------------


def _signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated)


def _load(user: Any, session: Session | None) -> list[tuple[ProductVariant | None, int, int]]:
    """(variant or None if gone, quantity, variant id) per line, in the order added: one query."""
    if _signed_in(user):
        lines = CartLine.objects.filter(cart__user=user).select_related(
            *(f"variant__{name}" for name in VARIANT_RELATED)
        )
        return [(line.variant, line.quantity, line.variant_id) for line in lines]
    stored = _session_lines(session)
    if not stored:
        return []
    variants = ProductVariant.objects.select_related(*VARIANT_RELATED).in_bulk(list(stored))
    return [(variants.get(variant_id), quantity, variant_id) for variant_id, quantity in stored.items()]


def _session_lines(session: Session | None) -> dict[int, int]:
    raw = session.get(SESSION_KEY) if session is not None else None
    if not isinstance(raw, dict):
        return {}
    lines = {}
    for key, value in raw.items():
        if str(key).isdigit() and isinstance(value, int) and value > 0:
            lines[int(key)] = value
    return lines


def _store(user: Any, session: Session | None, variant_id: int, quantity: int) -> None:
    """Set one line (0: remove it)."""
    if _signed_in(user):
        if quantity <= 0:
            CartLine.objects.filter(cart__user=user, variant_id=variant_id).delete()
            return
        cart, _ = Cart.objects.get_or_create(user=user)
        CartLine.objects.update_or_create(cart=cart, variant_id=variant_id, defaults={"quantity": quantity})
        return
    if session is None:
        raise ValidationError("Your browser did not keep a session: allow cookies to use the cart.")
    lines = {str(k): v for k, v in _session_lines(session).items()}
    if quantity <= 0:
        lines.pop(str(variant_id), None)
    else:
        lines[str(variant_id)] = quantity
    session[SESSION_KEY] = lines


# --- Reads --------------------------------------------------------------------------------------


def cart_get(*, user: Any, session: Session | None) -> CartView:
    """The cart, re-checked: lines no longer for sale dropped, quantities lowered to the stock,
    each change said in ``notices`` (and stored, so it is said once)."""
    items, notices = [], []
    for variant, quantity, variant_id in _load(user, session):
        if variant is None or not for_sale(variant):
            name = describe(variant) if variant is not None else "An item"
            notices.append(f"{name} is no longer for sale and was removed from your cart.")
            _store(user, session, variant_id, 0)
            continue
        if items and str(variant.price.currency) != str(items[0].variant.price.currency):
            notices.append(f"{describe(variant)} is now priced in another currency and was removed from your cart.")
            _store(user, session, variant_id, 0)
            continue
        cap = _cap(variant)
        if cap <= 0:
            notices.append(f"{describe(variant)} is sold out and was removed from your cart.")
            _store(user, session, variant_id, 0)
            continue
        if quantity > cap:
            notices.append(f"Only {cap} left of {describe(variant)}; your cart now has {cap}.")
            _store(user, session, variant_id, cap)
            quantity = cap
        items.append(CartItem(variant, quantity))
    return CartView(items, notices)


def cart_count(*, user: Any, session: Session | None) -> int:
    """The number of items, for the header: one query for a customer, none for a visitor."""
    if _signed_in(user):
        return CartLine.objects.filter(cart__user=user).aggregate(n=Sum("quantity"))["n"] or 0
    return sum(_session_lines(session).values())


# --- Writes -------------------------------------------------------------------------------------


def _quantity(value: Any, *, allow_zero: bool) -> int:
    try:
        quantity = int(value)
    except (TypeError, ValueError):
        raise ValidationError("Enter a whole number for the quantity.", code="invalid_quantity") from None
    low = 0 if allow_zero else 1
    if not low <= quantity <= settings.SHOP_MAX_LINE_QUANTITY:
        raise ValidationError(f"The quantity is {low} to {settings.SHOP_MAX_LINE_QUANTITY}.", code="invalid_quantity")
    return quantity


def _variant_for_sale(variant_id: Any) -> ProductVariant:
    try:
        pk = int(variant_id)
    except (TypeError, ValueError):
        pk = 0
    variant = catalogue.variant_get(pk=pk) if 0 < pk <= ID_MAX else None  # no id a query would overflow
    if variant is None:
        raise ValidationError("That product does not exist.", code="no_such_variant")
    if not for_sale(variant):
        raise ValidationError(f"{describe(variant)} is not for sale.", code="not_for_sale")
    return variant


def _held(cart: CartView, variant_id: int) -> int:
    return next((item.quantity for item in cart.items if item.variant.pk == variant_id), 0)


def cart_add(*, user: Any, session: Session | None, variant_id: Any, quantity: Any = 1) -> tuple[CartView, str]:
    """Add ``quantity`` of a variant (to what the cart holds), capped by its stock and
    SHOP_MAX_LINE_QUANTITY; the cart afterwards and a sentence saying what happened. Raises
    ValidationError (nothing changed) for a variant not for sale, sold out or in another currency."""
    if not _signed_in(user):
        # A visitor's cart is their session's: nothing in the database to lock or roll back.
        return _cart_add(user=user, session=session, variant_id=variant_id, quantity=quantity)
    with transaction.atomic():
        Cart.objects.get_or_create(user=user)
        Cart.objects.select_for_update().filter(user=user).first()  # one add at a time per cart
        return _cart_add(user=user, session=session, variant_id=variant_id, quantity=quantity)


def _cart_add(*, user: Any, session: Session | None, variant_id: Any, quantity: Any) -> tuple[CartView, str]:
    quantity = _quantity(quantity, allow_zero=False)
    variant = _variant_for_sale(variant_id)
    cart = cart_get(user=user, session=session)
    currency = str(variant.price.currency)
    if cart.currency and cart.currency != currency:
        raise ValidationError(
            f"Your cart holds prices in {cart.currency} and {describe(variant)} is priced in {currency}: "
            "check out or empty your cart before adding it.",
            code="other_currency",
        )
    cap = _cap(variant)
    if cap <= 0:
        raise ValidationError(f"{describe(variant)} is sold out.", code="sold_out")
    held = _held(cart, variant.pk)
    wanted = held + quantity
    new = min(wanted, cap)
    _store(user, session, variant.pk, new)
    if new < wanted:
        message = f"Only {cap} left of {describe(variant)}; your cart now has {new}."
    else:
        message = f"Added {quantity} × {describe(variant)} to your cart."
    # The cart as it now is, from what was just checked (no second look-up): the line changed
    # in place, or a new one last, as the cart lists them in the order added.
    items = [CartItem(variant, new) if item.variant.pk == variant.pk else item for item in cart.items]
    if not held:
        items.append(CartItem(variant, new))
    return CartView(items, cart.notices), message


@transaction.atomic
def cart_set_quantity(*, user: Any, session: Session | None, variant_id: Any, quantity: Any) -> tuple[CartView, str]:
    """Set a line's quantity (0 removes it), capped by its stock; the cart and what happened."""
    quantity = _quantity(quantity, allow_zero=True)
    try:
        variant_id = int(variant_id)
    except (TypeError, ValueError):
        raise ValidationError("That product does not exist.", code="no_such_variant") from None
    cart = cart_get(user=user, session=session)
    item = next((item for item in cart.items if item.variant.pk == variant_id), None)
    if item is None:
        return cart, "That item is not in your cart."
    if quantity == 0:
        _store(user, session, variant_id, 0)
        return cart_get(user=user, session=session), f"Removed {item.name} from your cart."
    cap = _cap(item.variant)
    new = min(quantity, cap)
    _store(user, session, variant_id, new)
    if new < quantity:
        message = f"Only {cap} left of {item.name}; your cart now has {new}."
    else:
        message = f"Your cart now has {new} × {item.name}."
    return cart_get(user=user, session=session), message


def cart_remove(*, user: Any, session: Session | None, variant_id: Any) -> tuple[CartView, str]:
    """Remove a line."""
    return cart_set_quantity(user=user, session=session, variant_id=variant_id, quantity=0)


@transaction.atomic
def cart_merge(*, user: Any, session: Session | None) -> list[str]:
    """Move a visitor's session cart into ``user``'s cart on sign-in: quantities added, capped by
    stock and SHOP_MAX_LINE_QUANTITY; lines in another currency than the account's cart are left
    out (and said). The session's cart is emptied. Returns the sentences to show."""
    stored = _session_lines(session)
    if not stored or session is None:
        return []
    visitor = cart_get(user=None, session=session)
    session.pop(SESSION_KEY, None)
    Cart.objects.get_or_create(user=user)
    Cart.objects.select_for_update().filter(user=user).first()
    account = cart_get(user=user, session=None)
    notices = list(visitor.notices) + list(account.notices)
    currency = account.currency
    for item in visitor.items:
        item_currency = str(item.variant.price.currency)
        if currency and item_currency != currency:
            notices.append(f"{item.name} is priced in {item_currency}, unlike your cart, and was not added.")
            continue
        currency = currency or item_currency
        cap = _cap(item.variant)
        wanted = _held(account, item.variant.pk) + item.quantity
        _store(user, None, item.variant.pk, min(wanted, cap))
        if wanted > cap:
            notices.append(f"Only {cap} left of {item.name}; your cart now has {cap}.")
    return notices


def cart_remove_bought(*, user: Any, bought: dict[int, int]) -> None:
    """After a paid order: take the bought quantities out of the customer's cart."""
    for line in CartLine.objects.select_for_update().filter(cart__user=user, variant_id__in=list(bought)):
        left = line.quantity - bought[line.variant_id]
        if left > 0:
            CartLine.objects.filter(pk=line.pk).update(quantity=left)
        else:
            line.delete()
