"""Forms of the cart and the checkout."""

from __future__ import annotations

from django import forms

from apps.commerce.models import Address


class AddressForm(forms.ModelForm):
    save_to_account = forms.BooleanField(label="Save this address to my account", required=False, initial=True)

    class Meta:
        model = Address
        fields = ["name", "line1", "line2", "city", "postal_code", "region", "country", "phone"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "line1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "region": forms.TextInput(attrs={"autocomplete": "address-level1"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel"}),
        }

    def address(self) -> dict[str, str]:
        data = {name: self.cleaned_data.get(name) or "" for name in self.Meta.fields}
        data["country"] = str(data["country"])
        return data


class VoucherForm(forms.Form):
    code = forms.CharField(label="Voucher code", max_length=40)
