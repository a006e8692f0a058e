"""The shop's demo catalogue (``seed_catalogue``), written through the catalogue's services, so it
is what an owner would have made on the site: shopowner@test.com's "Shay's Shop" with twelve
products (T-shirts in sizes and colours, mugs, posters, one nearly sold out, one digital book)
and makers@test.com's "Makers' Market" with four; categories, attributes and a collection kept
by the admin. Pictures and the book's PDF are generated: no files ship with the demo.

Idempotent: a product whose address exists is left as it is; shops, categories and attributes
are found by their slugs.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from apps.commerce.models import Collection, Product, ProductType, Shop
from apps.commerce.services import catalogue as services
from apps.core.models import User

SHOP_OWNER_EMAIL = "shopowner@test.com"
MAKERS_EMAIL = "makers@test.com"
MAKERS_PASSWORD = "Makers123!"  # noqa: S105 (a published demo password, like core's)
STAFF_EMAIL = "admin@freelancer.dev"
DIGITAL_STOCK = 10_000  # a file never runs out; the count only bounds one order

ATTRIBUTES = {
    "Size": ["S", "M", "L"],
    "Colour": ["Natural", "Black", "White", "Blue", "Red", "Green"],
    "Material": ["Cotton", "Linen", "Ceramic", "Wood", "Paper", "Wool", "Wax"],
}
TYPES = {
    # name: (kind, product attributes, variant attributes)
    "T-shirt": (ProductType.Kind.PHYSICAL, ["Material"], ["Size", "Colour"]),
    "Homeware": (ProductType.Kind.PHYSICAL, ["Material"], ["Colour"]),
    "Print": (ProductType.Kind.PHYSICAL, ["Material"], ["Size"]),
    "E-book": (ProductType.Kind.DIGITAL, [], []),
}
CATEGORIES = [
    # (name, slug, parent slug)
    ("Clothing", "clothing", None),
    ("T-shirts", "t-shirts", "clothing"),
    ("Bags and aprons", "bags-and-aprons", "clothing"),
    ("Home", "home", None),
    ("Kitchen", "kitchen", "home"),
    ("Wall art", "wall-art", "home"),
    ("Books and downloads", "downloads", None),
]
COLOURS = {
    "Natural": "#d8c8a8",
    "Black": "#23262b",
    "White": "#f4f4f2",
    "Blue": "#2f5bea",
    "Red": "#b3261e",
    "Green": "#0f9d84",
}

# name, slug, type, category, material, price, compare-at, variant axes or fixed quantity, colours
SHAYS_PRODUCTS: list[dict[str, Any]] = [
    {
        "name": "Linen T-shirt",
        "slug": "linen-t-shirt",
        "type": "T-shirt",
        "category": "t-shirts",
        "material": "Linen",
        "price": "24.00",
        "compare": "30.00",
        "sizes": ["S", "M", "L"],
        "colours": ["Natural", "Black"],
    },
    {
        "name": "Organic cotton tee",
        "slug": "organic-cotton-tee",
        "type": "T-shirt",
        "category": "t-shirts",
        "material": "Cotton",
        "price": "19.00",
        "sizes": ["S", "M", "L"],
        "colours": ["White", "Blue"],
    },
    {
        "name": "Stoneware mug",
        "slug": "stoneware-mug",
        "type": "Homeware",
        "category": "kitchen",
        "material": "Ceramic",
        "price": "14.00",
        "colours": ["Red", "Blue", "White"],
    },
    {
        "name": "Espresso cup pair",
        "slug": "espresso-cup-pair",
        "type": "Homeware",
        "category": "kitchen",
        "material": "Ceramic",
        "price": "22.00",
        "quantity": 2,
        "colours": ["Black"],
    },
    {
        "name": "Olive wood spoons",
        "slug": "olive-wood-spoons",
        "type": "Homeware",
        "category": "kitchen",
        "material": "Wood",
        "price": "12.00",
        "colours": ["Natural"],
    },
    {
        "name": "Canvas tote bag",
        "slug": "canvas-tote-bag",
        "type": "Homeware",
        "category": "bags-and-aprons",
        "material": "Cotton",
        "price": "16.00",
        "colours": ["Natural", "Black"],
    },
    {
        "name": "Mountains print",
        "slug": "mountains-print",
        "type": "Print",
        "category": "wall-art",
        "material": "Paper",
        "price": "18.00",
        "sizes": ["S", "M", "L"],
        "colours": ["Blue"],
    },
    {
        "name": "Sea at dusk print",
        "slug": "sea-at-dusk-print",
        "type": "Print",
        "category": "wall-art",
        "material": "Paper",
        "price": "18.00",
        "sizes": ["S", "M", "L"],
        "colours": ["Green"],
    },
    {
        "name": "Dot-grid notebook",
        "slug": "dot-grid-notebook",
        "type": "Homeware",
        "category": "home",
        "material": "Paper",
        "price": "9.50",
        "colours": ["Black"],
    },
    {
        "name": "Beeswax candle",
        "slug": "beeswax-candle",
        "type": "Homeware",
        "category": "home",
        "material": "Wax",
        "price": "15.00",
        "compare": "19.00",
        "colours": ["Natural"],
    },
    {
        "name": "Linen apron",
        "slug": "linen-apron",
        "type": "Homeware",
        "category": "bags-and-aprons",
        "material": "Linen",
        "price": "28.00",
        "colours": ["Natural", "Green"],
    },
    {
        "name": "The small maker's guide (PDF)",
        "slug": "small-makers-guide",
        "type": "E-book",
        "category": "downloads",
        "price": "9.00",
        "digital": True,
        "colours": ["Red"],
    },
]
MAKERS_PRODUCTS: list[dict[str, Any]] = [
    {
        "name": "Hand-thrown bowl",
        "slug": "hand-thrown-bowl",
        "type": "Homeware",
        "category": "kitchen",
        "material": "Ceramic",
        "price": "32.00",
        "colours": ["White", "Blue"],
    },
    {
        "name": "Knitted wool scarf",
        "slug": "knitted-wool-scarf",
        "type": "Homeware",
        "category": "clothing",
        "material": "Wool",
        "price": "45.00",
        "colours": ["Red", "Green", "Black"],
    },
    {
        "name": "Oak cutting board",
        "slug": "oak-cutting-board",
        "type": "Homeware",
        "category": "kitchen",
        "material": "Wood",
        "price": "38.00",
        "colours": ["Natural"],
    },
    {
        "name": "Botanical print",
        "slug": "botanical-print",
        "type": "Print",
        "category": "wall-art",
        "material": "Paper",
        "price": "21.00",
        "sizes": ["S", "M", "L"],
        "colours": ["Green"],
    },
]
GIFTS = ["stoneware-mug", "olive-wood-spoons", "beeswax-candle", "dot-grid-notebook", "hand-thrown-bowl"]


def product_picture(colour: str, name: str, *, accent: str = "#ffffff", shape: int = 0) -> SimpleUploadedFile:
    """A generated square picture (a coloured ground, a band and a shape) as a JPEG upload."""
    image = Image.new("RGB", (1200, 1200), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 900, 1200, 1200), fill=accent)
    if shape % 2:
        draw.rectangle((380, 280, 820, 720), fill=accent)
    else:
        draw.ellipse((360, 260, 840, 740), fill=accent)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return SimpleUploadedFile(f"{name}.jpg", buffer.getvalue(), content_type="image/jpeg")


def guide_pdf() -> SimpleUploadedFile:
    """The demo e-book: a few generated pages (fpdf2)."""
    from fpdf import FPDF

    pdf = FPDF()
    for title, text in (
        ("The small maker's guide", "A demo download from Shay's Shop."),
        ("1. Pricing", "Count your hours, your materials and the shop's share; then round up."),
        ("2. Photographs", "Daylight, a plain ground, and the same angle for every product."),
    ):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 20)
        pdf.cell(0, 12, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=12)
        pdf.multi_cell(0, 8, text)
    return SimpleUploadedFile("small-makers-guide.pdf", bytes(pdf.output()), content_type="application/pdf")


def _description(spec: dict[str, Any], shop: Shop) -> list[dict[str, Any]]:
    return [
        {"type": "rich_text", "html": f"<p>{spec['name']}, made for {shop.name} in small batches.</p>"},
        {"type": "heading", "text": "Care and details", "level": 2},
        {
            "type": "rich_text",
            "html": "<ul><li>Made to last, and to be repaired</li><li>Packed without plastic</li>"
            "<li>Sent within two working days</li></ul>",
        },
    ]


def _catalogue_lists(staff: User) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    attributes = {
        name: services.attribute_get_or_create(actor=staff, name=name, values=v) for name, v in ATTRIBUTES.items()
    }
    values = {(name, value.name): value for name, attribute in attributes.items() for value in attribute.values.all()}
    types = {
        name: services.product_type_get_or_create(
            actor=staff,
            name=name,
            kind=kind,
            product_attributes=[attributes[a] for a in product_attributes],
            variant_attributes=[attributes[a] for a in variant_attributes],
        )
        for name, (kind, product_attributes, variant_attributes) in TYPES.items()
    }
    categories: dict[str, Any] = {}
    for name, slug, parent in CATEGORIES:
        categories[slug] = services.category_get_or_create(
            actor=staff, name=name, slug=slug, parent=categories.get(parent) if parent else None
        )
    return values, types, categories


def _variants(spec: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]], Decimal]]:
    """(name, options, price) for each variant the spec asks for: sizes x colours, or colours."""
    base = Decimal(spec["price"])
    sizes = spec.get("sizes") or []
    colours = spec["colours"] if spec["type"] != "Print" else []
    if spec.get("digital"):
        return [("", [], base)]
    if sizes and colours:
        return [(f"{s} / {c}", [("Size", s), ("Colour", c)], base) for c in colours for s in sizes]
    if sizes:
        # Bigger prints cost more.
        return [(s, [("Size", s)], base + 8 * n) for n, s in enumerate(sizes)]
    if len(colours) > 1:
        return [(c, [("Colour", c)], base) for c in colours]
    return [("", [("Colour", colours[0])] if colours else [], base)]


def _product(spec: dict[str, Any], *, shop: Shop, owner: User, lists: tuple) -> Product:
    values, types, categories = lists
    material = [values[("Material", spec["material"])].pk] if spec.get("material") else []
    data = services.ProductInput(
        name=spec["name"],
        slug=spec["slug"],
        description=_description(spec, shop),
        seo_description=f"{spec['name']} from {shop.name}.",
        category_id=categories[spec["category"]].pk,
        attribute_ids=tuple(material),
    )
    product = services.product_create(actor=owner, shop=shop, product_type=types[spec["type"]], data=data)
    compare = Decimal(spec["compare"]) if spec.get("compare") else None
    for position, (name, options, price) in enumerate(_variants(spec)):
        sku = f"{spec['slug'][:40].upper()}-{position + 1}"
        variant = services.variant_create(
            actor=owner,
            product=product,
            data=services.VariantInput(
                sku=sku,
                name=name,
                price=price,
                compare_at_price=compare + (price - Decimal(spec["price"])) if compare else None,
                weight_grams=0 if spec.get("digital") else 350,
                option_ids=tuple(values[o].pk for o in options),
                position=position,
            ),
            quantity=DIGITAL_STOCK if spec.get("digital") else spec.get("quantity", 25),
        )
        if spec.get("digital"):
            services.digital_asset_set(actor=owner, variant=variant, file=guide_pdf())
    for number, colour in enumerate(spec["colours"][:2]):
        picture = product_picture(COLOURS[colour], f"{spec['slug']}-{number}", shape=number + len(spec["name"]))
        services.product_image_add(
            actor=owner, product=product, file=picture, alt=f"{spec['name']} in {colour.lower()}"
        )
    services.product_publish(actor=owner, product=product)
    return product


def _shop(owner: User, *, name: str, slug: str, description: str, policies: str) -> Shop:
    shop = Shop.objects.filter(slug=slug).first()
    if shop is not None:
        return shop
    data = services.ShopInput(
        name=name, slug=slug, description=description, policies=policies, currency="EUR", contact_email=owner.email
    )
    return services.shop_create(actor=owner, data=data, logo=product_picture("#2f5bea", f"{slug}-logo", shape=1))


def seed_catalogue(*, write: Callable[[str], Any] = print) -> None:
    """The demo shops and their products (see the module's docstring); safe to run again."""
    staff = User.objects.get(email=STAFF_EMAIL)
    lists = _catalogue_lists(staff)
    shops = [
        (
            User.objects.get(email=SHOP_OWNER_EMAIL),
            {
                "name": "Shay's Shop",
                "slug": "shays-shop",
                "description": "Clothes, homeware and prints, made in small batches.",
                "policies": "Sent within two working days. Returns within 30 days, unused, in the original packing.",
            },
            SHAYS_PRODUCTS,
        ),
        (
            User.objects.get(email=MAKERS_EMAIL),
            {
                "name": "Makers' Market",
                "slug": "makers-market",
                "description": "Pottery, woodwork and knitwear from a makers' cooperative.",
                "policies": "Each piece is made to order: allow a week. Returns within 14 days.",
            },
            MAKERS_PRODUCTS,
        ),
    ]
    for owner, fields, specs in shops:
        shop = _shop(owner, **fields)
        added = [
            _product(spec, shop=shop, owner=owner, lists=lists)
            for spec in specs
            if not Product.objects.filter(slug=spec["slug"]).exists()
        ]
        write(f"shop {shop.name!r}: {len(added)} products added, {shop.products.count()} in all")
    gifts = services.collection_get_or_create(
        actor=staff, name="Gifts under 40", slug="gifts", description="Small things people love to be given."
    )
    services.collection_add(actor=staff, collection=gifts, products=Product.objects.filter(slug__in=GIFTS))
    write(f"collection {gifts.name!r}: {Collection.objects.get(pk=gifts.pk).products.count()} products")
