"""The catalogue's filter form: a plain GET form (works without JavaScript; htmx submits the
same form to swap the results in place). Bad values are reported on the form and ignored, so a
hand-edited address never fails."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import slug_re
from django.http import QueryDict

from apps.commerce.selectors.catalogue import SORT_LABELS, CatalogueFilters

MAX_ATTRIBUTE_VALUES = 30


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(max_length=100, required=False, label="Search products")
    min_price = forms.DecimalField(
        required=False, min_value=Decimal(0), max_digits=10, decimal_places=2, label="Min price"
    )
    max_price = forms.DecimalField(
        required=False, min_value=Decimal(0), max_digits=10, decimal_places=2, label="Max price"
    )
    in_stock = forms.BooleanField(required=False, label="In stock only")
    sort = forms.ChoiceField(choices=list(SORT_LABELS.items()), required=False, label="Sort by")
    category = forms.SlugField(max_length=80, required=False)

    def __init__(self, data: QueryDict, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.attribute_values = _attribute_values(data.getlist("attr"))

    def filters(self, **fixed: str) -> CatalogueFilters:
        """What the form asks for (invalid fields left out), with the page's own ``fixed``
        filters (a category's, collection's or shop's page)."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and low > high:
            low, high = high, low
        return CatalogueFilters(
            q=" ".join((data.get("q") or "").split()),
            min_price=low,
            max_price=high,
            in_stock=bool(data.get("in_stock")),
            sort=data.get("sort") or "newest",
            attributes=self.attribute_values,
            page=self.data.get("page", 1),
            **({"category": data.get("category") or ""} | fixed),
        )


def _attribute_values(raw: list[str]) -> dict[str, tuple[str, ...]]:
    """``attr=colour:red&attr=colour:blue&attr=size:m`` as {"colour": ("red", "blue"), "size": ("m",)};
    anything not of the form slug:slug is dropped."""
    chosen: dict[str, list[str]] = {}
    for item in raw[:MAX_ATTRIBUTE_VALUES]:
        attribute, _, value = item.partition(":")
        if slug_re.fullmatch(attribute) and slug_re.fullmatch(value) and len(item) <= 130:
            values = chosen.setdefault(attribute, [])
            if value not in values:
                values.append(value)
    return {attribute: tuple(values) for attribute, values in chosen.items()}
