"""Shop owners run their shops on the site (/shop/manage/): their shops, every product of them
(drafts too), a product's content through the publishing engine, its variants, stock, images
and digital file. Staff run every shop the same way.

Each page or action answers 404 for what does not exist and 403 for what is not the user's to
touch (the policy in apps/commerce/permissions.py); the services check it again. Every form is a
plain POST that redirects back with a message, so all of it works without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.commerce import permissions
from apps.commerce.forms.catalogue_manage import (
    DigitalFileForm,
    ImageForm,
    ProductForm,
    ScheduleForm,
    ShopForm,
    StockForm,
    VariantForm,
)
from apps.commerce.models import Product, ProductImage, ProductVariant, Shop
from apps.commerce.selectors import catalogue as selectors
from apps.commerce.services import catalogue as services
from apps.core.publishing import DraftConflict

EDIT = ("GET", "POST")


def _refusal(exc: ValidationError | PermissionDenied) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc) or "You may not do that."])


def _add_errors(form: Any, exc: ValidationError) -> None:
    # A service's field errors land on the form's fields it has; the rest on the form.
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _require_seller(request: HttpRequest) -> None:
    if not permissions.can_open_shop(request.user):
        raise PermissionDenied("Only shop owners run shops.")


def _shop(request: HttpRequest, pk: int) -> Shop:
    shop = selectors.shop_get(pk=pk)
    if shop is None:
        raise Http404("No such shop.")
    if not permissions.can_manage_shop(request.user, shop):
        raise PermissionDenied("This is not your shop.")
    return shop


def _product(request: HttpRequest, pk: int) -> Product:
    product = selectors.product_get_for_manager(pk=pk)
    if product is None:
        raise Http404("No such product.")
    if not permissions.can_manage_shop(request.user, product.shop):
        raise PermissionDenied("This product is not in your shop.")
    return product


def _variant(request: HttpRequest, pk: int) -> ProductVariant:
    variant = selectors.variant_get_for_manager(pk=pk)
    if variant is None:
        raise Http404("No such variant.")
    if not permissions.can_manage_shop(request.user, variant.product.shop):
        raise PermissionDenied("This variant is not in your shop.")
    return variant


# --- Shops -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def manage_home(request: HttpRequest) -> HttpResponse:
    """My shops and every product of them, drafts included."""
    _require_seller(request)
    shops = list(selectors.shop_list_for_manager(user=request.user))
    products = list(selectors.product_list_for_manager(user=request.user)[:200])
    # Each product under its newest draft's name (one document query for the list).
    drafts = services.product_drafts(products)
    for product in products:
        product.draft_name = drafts.get(product.pk, {}).get("name") or product.name
    return render(request, "commerce/manage_home.html", {"shops": shops, "products": products})


@login_required
@require_http_methods(EDIT)
def shop_create(request: HttpRequest) -> HttpResponse:
    _require_seller(request)
    form = ShopForm(request.POST or None, request.FILES or None, initial={"currency": "EUR"})
    if request.method == "POST" and form.is_valid():
        try:
            shop = services.shop_create(actor=request.user, data=form.shop_input(), logo=form.cleaned_data["logo"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{shop.name} is open. Add its first product.")
            return redirect("commerce:manage")
    status = 422 if form.errors else 200
    return render(request, "commerce/manage_shop_form.html", {"form": form, "shop": None}, status=status)


@login_required
@require_http_methods(EDIT)
def shop_edit(request: HttpRequest, pk: int) -> HttpResponse:
    shop = _shop(request, pk)
    form = ShopForm(request.POST or None, request.FILES or None, initial=ShopForm.initial_for(shop))
    if request.method == "POST" and form.is_valid():
        try:
            services.shop_update(
                actor=request.user,
                shop=shop,
                data=form.shop_input(),
                logo=form.cleaned_data["logo"],
                remove_logo=form.cleaned_data["remove_logo"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Shop saved.")
            return redirect("commerce:manage-shop", shop.pk)
    status = 422 if form.errors else 200
    return render(request, "commerce/manage_shop_form.html", {"form": form, "shop": shop}, status=status)


# --- Products ----------------------------------------------------------------------------------


@login_required
@require_http_methods(EDIT)
def product_create(request: HttpRequest) -> HttpResponse:
    """A new product's first draft, in one of my shops."""
    _require_seller(request)
    shops = selectors.shop_list_for_manager(user=request.user)
    initial = {"shop": request.GET.get("shop"), "based_on": 0}
    form = ProductForm(request.POST or None, shops=shops, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(
                actor=request.user,
                shop=form.cleaned_data["shop"],
                product_type=form.cleaned_data["product_type"],
                data=form.product_input(),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Draft saved. Add a variant with its price, then publish.")
            return redirect("commerce:manage-product", product.pk)
    status = 422 if form.errors else 200
    return render(request, "commerce/manage_product_form.html", {"form": form, "product": None}, status=status)


def _product_page(request: HttpRequest, product: Product, form: ProductForm, *, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "product": product,
        "variants": product.variant_list,
        "images": product.image_list,
        "variant_form": VariantForm(product=product, initial={"position": len(product.variant_list)}),
        "image_form": ImageForm(),
        "file_form": DigitalFileForm(),
        "stock_form": StockForm(),
        "schedule_form": ScheduleForm(initial={"go_live_at": product.go_live_at}),
        "history": services.product_history(product)[:20],
    }
    return render(request, "commerce/manage_product_form.html", context, status=status)


@login_required
@require_http_methods(EDIT)
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A product's content (a new revision of its draft; publish makes it live), with its
    variants, stock, images and file on the same page."""
    product = _product(request, pk)
    draft = services.product_draft(product)
    initial = ProductForm.initial_for(draft, product.latest_revision)
    form = ProductForm(request.POST or None, product=product, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            based_on = form.cleaned_data.get("based_on")
            number = services.product_update(
                actor=request.user,
                product=product,
                data=form.product_input(),
                based_on=product.latest_revision if based_on is None else based_on,
            )
            if "_publish" in request.POST:
                services.product_publish(actor=request.user, product=product)
                messages.success(request, "Saved and published.")
            else:
                messages.success(request, f"Draft saved (revision {number}).")
        except DraftConflict:
            form.add_error(None, "Someone saved this product after you opened it: reload to see their changes.")
        except ValidationError as exc:
            if "_publish" in request.POST and not hasattr(exc, "error_dict"):
                messages.error(request, f"Draft saved, not published: {_refusal(exc)}")
                return redirect("commerce:manage-product", product.pk)
            _add_errors(form, exc)
        else:
            return redirect("commerce:manage-product", product.pk)
    return _product_page(request, product, form, status=422 if form.errors else 200)


@login_required
@require_POST
def product_publish(request: HttpRequest, pk: int) -> HttpResponse:
    product = _product(request, pk)
    try:
        services.product_publish(actor=request.user, product=product)
        messages.success(request, "Published: visitors see the newest draft now.")
    except ValidationError as exc:
        messages.error(request, _refusal(exc))
    return redirect("commerce:manage-product", product.pk)


@login_required
@require_POST
def product_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    product = _product(request, pk)
    services.product_unpublish(actor=request.user, product=product)
    messages.success(request, "Unpublished: visitors no longer see it; its drafts stay.")
    return redirect("commerce:manage-product", product.pk)


@login_required
@require_POST
def product_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish the newest draft at a time (or cancel the schedule with no time)."""
    product = _product(request, pk)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the time as a date and time, e.g. 2030-01-31 09:00.")
        return redirect("commerce:manage-product", product.pk)
    go_live_at = form.cleaned_data["go_live_at"]
    try:
        services.product_schedule(actor=request.user, product=product, go_live_at=go_live_at)
    except ValidationError as exc:
        messages.error(request, _refusal(exc))
    else:
        done = f"Scheduled for {go_live_at:%Y-%m-%d %H:%M} UTC." if go_live_at else "The schedule is cancelled."
        messages.success(request, done)
    return redirect("commerce:manage-product", product.pk)


# --- Variants, stock, images, files -------------------------------------------------------------


@login_required
@require_http_methods(EDIT)
def variant_create(request: HttpRequest, pk: int) -> HttpResponse:
    product = _product(request, pk)
    form = VariantForm(request.POST or None, product=product, initial={"position": len(product.variant_list)})
    if request.method == "POST" and form.is_valid():
        try:
            services.variant_create(
                actor=request.user,
                product=product,
                data=form.variant_input(),
                quantity=form.cleaned_data["quantity"] or 0,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Variant added.")
            return redirect("commerce:manage-product", product.pk)
    status = 422 if form.errors else 200
    context = {"form": form, "product": product, "variant": None}
    return render(request, "commerce/manage_variant_form.html", context, status=status)


@login_required
@require_http_methods(EDIT)
def variant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    variant = _variant(request, pk)
    product = variant.product
    form = VariantForm(request.POST or None, product=product, variant=variant, initial=VariantForm.initial_for(variant))
    if request.method == "POST" and form.is_valid():
        try:
            services.variant_update(actor=request.user, variant=variant, data=form.variant_input())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Variant {variant.sku} saved.")
            return redirect("commerce:manage-product", product.pk)
    status = 422 if form.errors else 200
    context = {"form": form, "product": product, "variant": variant}
    return render(request, "commerce/manage_variant_form.html", context, status=status)


@login_required
@require_POST
def stock_set(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a variant's count on hand (never below what is sold or held)."""
    variant = _variant(request, pk)
    form = StockForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the stock as a whole number, 0 or more.")
        return redirect("commerce:manage-product", variant.product_id)
    try:
        row = services.stock_set(actor=request.user, variant=variant, quantity=form.cleaned_data["quantity"])
    except ValidationError as exc:
        messages.error(request, f"{variant.sku}: {_refusal(exc)}")
    else:
        messages.success(request, f"{variant.sku}: {row.quantity} on hand, {row.available} available.")
    return redirect("commerce:manage-product", variant.product_id)


@login_required
@require_POST
def image_add(request: HttpRequest, pk: int) -> HttpResponse:
    product = _product(request, pk)
    form = ImageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.product_image_add(
                actor=request.user, product=product, file=form.cleaned_data["image"], alt=form.cleaned_data["alt"]
            )
        except ValidationError as exc:
            messages.error(request, _refusal(exc))
        else:
            messages.success(request, "Picture added.")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("commerce:manage-product", product.pk)


@login_required
@require_POST
def image_delete(request: HttpRequest, pk: int) -> HttpResponse:
    image = ProductImage.objects.select_related("product__shop").filter(pk=pk).first()
    if image is None:
        raise Http404("No such picture.")
    if not permissions.can_manage_shop(request.user, image.product.shop):
        raise PermissionDenied("This picture is not in your shop.")
    services.product_image_delete(actor=request.user, image=image)
    messages.success(request, "Picture removed.")
    return redirect("commerce:manage-product", image.product_id)


@login_required
@require_POST
def digital_file_set(request: HttpRequest, pk: int) -> HttpResponse:
    variant = _variant(request, pk)
    form = DigitalFileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.digital_asset_set(
                actor=request.user,
                variant=variant,
                file=form.cleaned_data["file"],
                max_downloads=form.cleaned_data["max_downloads"],
                link_hours=form.cleaned_data["link_hours"],
            )
        except ValidationError as exc:
            messages.error(request, _refusal(exc))
        else:
            messages.success(request, f"{variant.sku}: file saved.")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("commerce:manage-product", variant.product_id)
