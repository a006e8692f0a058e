"""The social network's demo (``seed_demo``), written through its services: a profile for each
demo account, about sixty posts among them (some with generated images and alt text, hashtags,
mentions, a content warning, a followers-only post and, where the LMS offers one, a post to a
course's learners) and replies in threads, likes and reposts. Idempotent: once the demo accounts
have posted, it adds nothing."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from apps.core.models import User
from apps.core.platform import registry
from apps.social import demo_people
from apps.social.audiences import audience_choices
from apps.social.models import Post
from apps.social.services import posts as services
from apps.social.services.profiles import profile_ensure

CORE_DEMO_EMAILS = (
    "student@test.com",
    "instructor@test.com",
    "shopowner@test.com",
    "admin@freelancer.dev",
    "superadmin@freelancer.dev",
)
POSTS = 60
TOPICS = ("pottery", "glazes", "django", "craftsmanship", "weekend", "learning", "studio", "coffee")
SENTENCES = (
    "Just pulled a new batch out of the kiln and the celadon came out better than I hoped.",
    "Does anyone have a favourite clay body for beginners? Asking for a friend (me).",
    "Spent the morning reading about Django's ORM: annotations are a superpower.",
    "Three hours at the wheel and one bowl I would show anyone. Progress!",
    "Reminder: wedge your clay. Air bubbles are not a glaze effect.",
    "Trying a slower cooling schedule tonight; will report back tomorrow.",
    "The shop's new mugs are up, and the glaze on the blue ones is my favourite so far.",
    "Finished another lesson of the course today: the trimming video finally made it click.",
    "Quiet Sunday in the studio. Tea, radio, and a stack of bisque to glaze.",
    "Hot take: the best tool in the studio is a sponge on a stick.",
    "Read https://docs.djangoproject.com/ for the third time this week and still learn something.",
    "What are you making this weekend?",
)
PALETTE = ((120, 72, 40), (30, 90, 120), (150, 40, 40), (60, 120, 70), (200, 160, 60), (90, 60, 130))


def _demo_users() -> list[User]:
    emails = [*CORE_DEMO_EMAILS, *(account.email for account in registry().demo_accounts)]
    users = {user.email: user for user in User.objects.filter(email__in=emails, is_active=True)}
    return [users[email] for email in dict.fromkeys(emails) if email in users]


def _image(rng: random.Random, n: int) -> services.ImageInput:
    colour = PALETTE[n % len(PALETTE)]
    picture = Image.new("RGB", (960, 640), colour)
    draw = ImageDraw.Draw(picture)
    for ring in range(6):
        inset = 40 + ring * 45
        shade = tuple(min(255, c + 25 * ring) for c in colour)
        draw.ellipse((inset * 1.5, inset, 960 - inset * 1.5, 640 - inset), outline=shade, width=12)
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=80)
    upload = SimpleUploadedFile(f"demo-{n}.jpg", buffer.getvalue(), content_type="image/jpeg")
    return services.ImageInput(upload, f"A pot seen from above, rings of glaze in shades of colour {n % 6 + 1}")


def _text(rng: random.Random, handles: list[str], n: int) -> str:
    text = SENTENCES[n % len(SENTENCES)]
    tags = rng.sample(TOPICS, k=rng.randint(1, 2))
    text += " " + " ".join(f"#{tag}" for tag in tags)
    if n % 7 == 3 and handles:
        text += f" cc @{rng.choice(handles)}"
    return text


def seed_demo(*, write: Callable[[str], Any] = print) -> None:
    """Profiles for the demo accounts, their follows and group conversation (demo_people.py),
    then (once) their posts, threads, likes and reposts."""
    users = _demo_users()
    profiles = [profile_ensure(user) for user in users]
    demo_people.seed_people(users, write=write)  # follows, the private account, a group conversation
    if not users or Post.objects.filter(author__in=users).exists():
        write(f"Social: {len(profiles)} demo profiles; posts already there")
        return
    rng = random.Random(15)  # the same demo every time
    made: list[Post] = []
    for n in range(POSTS):
        author = users[n % len(users)]
        others = [p.handle for p in profiles if p.user_id != author.pk]
        kwargs: dict[str, Any] = {"author": author, "text": _text(rng, others, n)}
        if n % 4 == 0:
            kwargs["images"] = [_image(rng, n)]
        if n % 11 == 5:
            kwargs["content_warning"] = "Kiln disaster (cracked pots)"
        if n % 13 == 6:
            kwargs["visibility"] = Post.Visibility.FOLLOWERS
        parents = [p for p in made[-6:] if p.visibility == Post.Visibility.PUBLIC and p.author_id != author.pk]
        if n % 3 == 2 and parents:
            kwargs["reply_to"] = rng.choice(parents)
        made.append(services.post_create(**kwargs))
    for user in users:
        for post in rng.sample(made, k=min(12, len(made))):
            if post.author_id != user.pk and post.visibility == Post.Visibility.PUBLIC:
                services.post_like(user=user, post=post)
    for user in users[:3]:
        originals = [p for p in made if p.author_id != user.pk and p.visibility == "public" and not p.reply_to_id]
        for post in originals[:2]:
            services.post_repost(user=user, post=post)
    teacher = next((user for user in users if audience_choices(user)), None)
    if teacher is not None:
        value = audience_choices(teacher)[0][0]
        services.post_create(
            author=teacher,
            text="Welcome, everyone in the course! Post your first pieces here. #learning",
            visibility=Post.Visibility.AUDIENCE,
            audience=value,
        )
    write(f"Social: {len(profiles)} demo profiles, {Post.objects.filter(author__in=users).count()} posts")
